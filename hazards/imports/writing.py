"""Turning imported rows (or a JSON export) into register objects, collecting every problem on the way.

Each row is checked by the services' own rules (see bulk.py); a row with a problem is dropped from the
batch and reported by row and column, and the rows after it are still checked, so one preview lists
every problem in the file. Nothing is written unless no row has a problem; the caller's transaction makes
the import all or nothing, and a preview always rolls back.
"""

import datetime
import re
from dataclasses import dataclass

from django.contrib.auth.models import User

from assessments import services as assessment_services
from assessments.errors import ContentFrozen, InvalidInput
from assessments.models import Assessment
from hazards.imports.bulk import RegisterBatch
from hazards.imports.rows import Problem, Row, members_by_name
from hazards.models import AffectedParty, HazardTemplate, MitigationStatus
from hazards.services.scenarios import SCENARIO_FIELDS

# Which spreadsheet field a problem with a consequence or a mitigation points back to.
CONSEQUENCE_COLUMNS = {"description": "consequences", "harm_type": "harm_type", "severity": "inherent_severity"}
MITIGATION_COLUMNS = {
    "title": "mitigations",
    "kind": "mitigation_kind",
    "status": "mitigation_status",
    "owner": "mitigation_owner",
    "due_date": "mitigation_due_date",
    "external_system": "ticket_system",
    "external_key": "ticket_key",
    "external_url": "ticket_url",
}
REF = re.compile(r"^[HM]-(\d+)$")


class _Located(Exception):
    """Problems of one object, keyed by the field (or column) they belong to."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems


def _located(exc: InvalidInput, columns: dict[str, str]) -> _Located:
    return _Located({columns.get(key, key): messages for key, messages in exc.errors.items()})


def _consequence_party(affected_parties: str) -> str:
    """The scenario's affected parties, if they name one of the choices; end users otherwise."""
    text = affected_parties.lower()
    for code, label in AffectedParty.choices:
        if str(label).lower() in text or code in text:
            return code
    return AffectedParty.END_USERS


# --- Spreadsheets ----------------------------------------------------------------------------------------


def _add_row(batch: RegisterBatch, row: Row, mitigations: dict, added_titles: list[str]) -> None:
    values = row.values
    # Blank cells are left to the services' defaults; the title is passed even blank, to be reported.
    fields = {"title": values["title"], **{k: values[k] for k in SCENARIO_FIELDS if values.get(k) not in (None, "")}}
    try:
        scenario = batch.add_scenario(fields)
    except InvalidInput as exc:
        raise _located(exc, {}) from None
    for description in values["consequences"]:
        try:
            batch.add_consequence(
                scenario,
                {
                    "description": description,
                    "harm_type": values.get("harm_type") or "technical",
                    "affected_party": _consequence_party(values["affected_parties"]),
                    "severity": values["inherent_severity"],
                },
            )
        except InvalidInput as exc:
            raise _located(exc, CONSEQUENCE_COLUMNS) from None
    # Controls already in place are mitigations that are implemented; the others take the row's status.
    named = [(title, values.get("mitigation_status")) for title in values["mitigations"]]
    named += [(title, MitigationStatus.IMPLEMENTED) for title in values.get("existing_controls", [])]
    for title, status in named:
        known = mitigations.get(title.casefold())
        if known is not None:
            # The same control named again (here or already in the assessment) is linked, not duplicated.
            batch.link(known, scenario)
            continue
        tracking = {
            "owner": values.get("mitigation_owner"),
            "due_date": values.get("mitigation_due_date"),
            "status": status,
            "external_system": values["ticket_system"],
            "external_key": values["ticket_key"],
            "external_url": values["ticket_url"],
        }
        try:
            mitigation = batch.add_mitigation(
                {
                    "title": title,
                    "kind": values.get("mitigation_kind") or "technical_control",
                    **{key: value for key, value in tracking.items() if value not in (None, "")},
                },
                [scenario],
            )
        except InvalidInput as exc:
            raise _located(exc, MITIGATION_COLUMNS) from None
        mitigations[title.casefold()] = mitigation
        added_titles.append(title.casefold())


@dataclass
class Written:
    """What an import of rows found and would write (or wrote)."""

    problems: list[Problem]
    scenarios: int = 0
    mitigations: int = 0  # new ones; a control already in the assessment is linked instead
    links: int = 0  # scenario ↔ mitigation links, new mitigations' included


def write_rows(assessment: Assessment, rows: list[Row], by: User) -> Written:
    """Check every row; if none has a problem, write them all. Returns the problems of all rows."""
    try:
        batch = RegisterBatch(assessment_id=assessment.pk, by=by)
    except ContentFrozen as exc:
        return Written([Problem("", "", str(exc))])
    mitigations = {m.title.casefold(): m for m in batch.assessment.mitigations.all()}
    problems: list[Problem] = []
    for row in rows:
        if not row.problems:
            mark, added_titles = batch.mark(), []
            try:
                _add_row(batch, row, mitigations, added_titles)
            except _Located as exc:
                batch.forget_since(mark)
                for title in added_titles:
                    mitigations.pop(title, None)
                for key, messages in exc.problems.items():
                    row.problem(key, " ".join(messages))
        problems.extend(row.problems)
    written = Written(
        problems,
        scenarios=len(batch.scenarios),
        mitigations=len(batch.mitigations),
        links=sum(len(linked) for _, linked, _ in batch.mitigations) + len(batch.links),
    )
    if not problems:
        batch.save()
    return written


# --- Hazlog JSON exports -------------------------------------------------------------------------------


def _number(ref: str) -> int | None:
    match = REF.match(ref or "")
    return int(match.group(1)) if match else None


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def _member(members: dict[str, User], name: str | None, field: str) -> User | None:
    if not name:
        return None
    user = members.get(name.lower())
    if user is None:
        raise _Located({field: [f"{name} is not a member of this project."]})
    return user


def write_document(
    document: dict, *, project, by: User, title: str
) -> tuple[Assessment | None, list[Problem], list[str]]:
    """A new assessment holding the export's content; returns it with the problems and warnings found.

    Refs are kept (H-007 stays H-007, gaps included) so tickets and notes still point right. Acceptances
    and approvals are decisions of named people about one revision: they are listed as warnings, never
    re-created under the importer's name.
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    context = document.get("assessment") or {}
    try:
        assessment = assessment_services.assessment_create(
            project_id=project.pk,
            by=by,
            title=title or context.get("title", ""),
            matrix=document.get("matrix"),
            model_name=context.get("model_name", ""),
            model_version=context.get("model_version", ""),
            deployment_channel=context.get("deployment_channel", ""),
            user_population=context.get("user_population", ""),
            application_domain=context.get("application_domain", ""),
            scope=context.get("scope", ""),
            due_date=_date(context.get("due_date")),
            next_review_date=_date(context.get("next_review_date")),
        )
    except (InvalidInput, ValueError, TypeError) as exc:
        errors = exc.errors if isinstance(exc, InvalidInput) else {"__all__": [str(exc)]}
        return None, [Problem("assessment", key, " ".join(msgs)) for key, msgs in errors.items()], warnings
    batch = RegisterBatch(assessment_id=assessment.pk, by=by)
    members = members_by_name(project)
    templates = HazardTemplate.objects.in_bulk(field_name="key")
    scenarios: dict[str, object] = {}
    for s in sorted(document.get("scenarios") or [], key=lambda s: _number(s.get("ref", "")) or 0):
        ref = s.get("ref", "?")
        mark = batch.mark()
        try:
            scenarios[ref] = _add_scenario(batch, s, members, templates, warnings)
        except _Located as exc:
            batch.forget_since(mark)
            problems.extend(Problem(ref, key, " ".join(msgs)) for key, msgs in exc.problems.items())
        except (KeyError, TypeError, ValueError) as exc:
            batch.forget_since(mark)
            problems.append(Problem(ref, "", f"The scenario is incomplete or malformed ({exc})."))
        acceptances = len(s.get("acceptances") or [])
        if acceptances:
            warnings.append(
                f"{ref}: {acceptances} risk acceptance{'s were' if acceptances != 1 else ' was'} not imported; "
                "an approver decides again for this assessment."
            )
    for m in sorted(document.get("mitigations") or [], key=lambda m: _number(m.get("ref", "")) or 0):
        ref = m.get("ref", "?")
        mark = batch.mark()
        try:
            _add_mitigation(batch, m, members, scenarios)
        except _Located as exc:
            batch.forget_since(mark)
            problems.extend(Problem(ref, key, " ".join(msgs)) for key, msgs in exc.problems.items())
        except (KeyError, TypeError, ValueError) as exc:
            batch.forget_since(mark)
            problems.append(Problem(ref, "", f"The mitigation is incomplete or malformed ({exc})."))
    if document.get("approvals"):
        warnings.append("Approvals are not imported: the new assessment starts as a draft.")
    if not problems:
        batch.save()
    return assessment, problems, warnings


def _add_scenario(batch: RegisterBatch, s: dict, members, templates, warnings):
    template = templates.get(s.get("template")) if s.get("template") else None
    if s.get("template") and template is None:
        warnings.append(f"{s['ref']}: catalogue template {s['template']} is not loaded here; the link was dropped.")
    try:
        scenario = batch.add_scenario(
            {
                "title": s["title"],
                "description": s.get("description", ""),
                "category": s.get("category", "other"),
                "causes": s.get("causes", ""),
                "affected_parties": s.get("affected_parties", ""),
                "inherent_likelihood": s["inherent"]["likelihood"],
                "inherent_severity": s["inherent"]["severity"],
                "residual_likelihood": s["residual"]["likelihood"],
                "residual_severity": s["residual"]["severity"],
                "treatment": s.get("treatment", "mitigate"),
                "owner": _member(members, s.get("owner"), "owner"),
            },
            number=_number(s["ref"]),
            template=template,
        )
        for c in s.get("consequences") or []:
            batch.add_consequence(
                scenario,
                {
                    "description": c["description"],
                    "harm_type": c["harm_type"],
                    "affected_party": c["affected_party"],
                    "severity": c["severity"],
                },
            )
    except InvalidInput as exc:
        raise _located(exc, {}) from None
    return scenario


def _add_mitigation(batch: RegisterBatch, m: dict, members, scenarios: dict) -> None:
    missing = [ref for ref in m.get("scenarios") or [] if ref not in scenarios]
    if missing:
        raise _Located({"scenarios": [f"It addresses scenarios that were not imported: {', '.join(missing)}."]})
    external = m.get("external") or {}
    tracking = {
        "owner": _member(members, m.get("owner"), "owner"),
        "due_date": _date(m.get("due_date")),
        "status": m.get("status"),
        "verification_note": m.get("verification_note", ""),
        "external_system": external.get("system", ""),
        "external_key": external.get("key", ""),
        "external_url": external.get("url", ""),
        "external_synced_at": _datetime(external.get("synced_at")),
    }
    try:
        batch.add_mitigation(
            {
                "title": m["title"],
                "kind": m["kind"],
                "description": m.get("description", ""),
                **{key: value for key, value in tracking.items() if value not in (None, "")},
            },
            [scenarios[ref] for ref in m.get("scenarios") or []],
            number=_number(m["ref"]),
        )
    except InvalidInput as exc:
        raise _located(exc, {}) from None
