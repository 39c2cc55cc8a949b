"""Writing imported rows through the hazards services, row by row, collecting every problem.

Each row runs in its own savepoint, so one bad row does not hide the problems of the next; the caller
runs the whole import in one transaction and rolls all of it back unless every row went in (a preview
always rolls back). Because the services do the writing, an import obeys exactly the rules, refs, risk
levels and audit trail of typing the same rows in by hand.
"""

import datetime
import re

from django.contrib.auth.models import User
from django.db import transaction

from assessments import services as assessment_services
from assessments.errors import ContentFrozen, InvalidInput
from assessments.models import Assessment
from hazards import services
from hazards.imports.rows import Problem, Row
from hazards.models import AffectedParty, HazardTemplate

# Which spreadsheet field a service's error about a consequence or a mitigation points back to.
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
SCENARIO_FIELDS = (
    "description",
    "category",
    "causes",
    "affected_parties",
    "inherent_likelihood",
    "inherent_severity",
    "residual_likelihood",
    "residual_severity",
    "treatment",
    "owner",
)
REF = re.compile(r"^[HM]-(\d+)$")


def _consequence_party(affected_parties: str) -> str:
    """The scenario's affected parties, if they name one of the choices; end users otherwise."""
    text = affected_parties.lower()
    for code, label in AffectedParty.choices:
        if str(label).lower() in text or code in text:
            return code
    return AffectedParty.END_USERS


def _write_row(assessment: Assessment, row: Row, by: User, mitigations: dict) -> None:
    values = row.values
    fields = {key: values[key] for key in SCENARIO_FIELDS if values.get(key) not in (None, "")}
    try:
        scenario = services.hazard_create(assessment_id=assessment.pk, by=by, title=values["title"], **fields)
    except InvalidInput as exc:
        raise _located(exc, {}) from None
    for description in values["consequences"]:
        try:
            services.consequence_create(
                hazard_id=scenario.pk,
                by=by,
                description=description,
                harm_type=values.get("harm_type") or "technical",
                affected_party=_consequence_party(values["affected_parties"]),
                severity=values["inherent_severity"],
            )
        except InvalidInput as exc:
            raise _located(exc, CONSEQUENCE_COLUMNS) from None
    for title in values["mitigations"]:
        existing = mitigations.get(title.casefold())
        try:
            if existing is not None:
                services.mitigation_link(mitigation_id=existing.pk, hazard_id=scenario.pk, by=by, expected_version=None)
                continue
            tracking = {
                "owner": values.get("mitigation_owner"),
                "due_date": values.get("mitigation_due_date"),
                "status": values.get("mitigation_status"),
                "external_system": values["ticket_system"],
                "external_key": values["ticket_key"],
                "external_url": values["ticket_url"],
            }
            mitigations[title.casefold()] = services.mitigation_create(
                assessment_id=assessment.pk,
                by=by,
                title=title,
                kind=values.get("mitigation_kind") or "technical_control",
                hazard_ids=[scenario.pk],
                **{key: value for key, value in tracking.items() if value not in (None, "")},
            )
        except InvalidInput as exc:
            raise _located(exc, MITIGATION_COLUMNS) from None


class _Located(Exception):
    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems


def _located(exc: InvalidInput, columns: dict[str, str]) -> _Located:
    return _Located({columns.get(key, key): messages for key, messages in exc.errors.items()})


def write_rows(assessment: Assessment, rows: list[Row], by: User) -> list[Problem]:
    """Write every row that converted cleanly; returns the problems of all rows (empty if all went in)."""
    problems: list[Problem] = []
    mitigations = {m.title.casefold(): m for m in assessment.mitigations.all()}
    for row in rows:
        if not row.problems:
            known = dict(mitigations)
            try:
                with transaction.atomic():
                    _write_row(assessment, row, by, mitigations)
            except _Located as exc:
                mitigations = known  # what the rolled-back savepoint created is gone again
                for key, messages in exc.problems.items():
                    row.problem(key, " ".join(messages))
            except ContentFrozen as exc:
                row.problems.append(Problem(row.number, "", str(exc)))
        problems.extend(row.problems)
    return problems


# --- Hazlog JSON exports -------------------------------------------------------------------------------


def _number(ref: str) -> int | None:
    match = REF.match(ref or "")
    return int(match.group(1)) if match else None


def _reserve(assessment: Assessment, counter: str, number: int | None) -> None:
    """Make the next ref the export's own (H-007 stays H-007), so tickets and notes still point right.

    Refs are created in ascending order and the counter only moves forward, so no ref is ever reused.
    """
    if number is not None and number - 1 > getattr(assessment, counter):
        Assessment.objects.filter(pk=assessment.pk).update(**{counter: number - 1})
        setattr(assessment, counter, number - 1)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _datetime(value: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(value) if value else None


def write_document(
    document: dict, *, project, by: User, title: str
) -> tuple[Assessment | None, list[Problem], list[str]]:
    """A new assessment holding the export's content; returns it with the problems and warnings found.

    Acceptances and approvals are decisions of named people about one revision: they are listed as
    warnings, never re-created under the importer's name.
    """
    from hazards.imports.rows import members_by_name

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
    members = members_by_name(project)
    templates = dict(HazardTemplate.objects.values_list("key", "pk"))
    scenario_ids: dict[str, int] = {}
    scenarios = sorted(document.get("scenarios") or [], key=lambda s: _number(s.get("ref", "")) or 0)
    for s in scenarios:
        ref = s.get("ref", "?")
        try:
            with transaction.atomic():
                scenario_ids[ref] = _write_scenario(assessment, s, by, members, templates, warnings)
        except _Located as exc:
            problems.extend(Problem(ref, key, " ".join(msgs)) for key, msgs in exc.problems.items())
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(ref, "", f"The scenario is incomplete or malformed ({exc})."))
        acceptances = len(s.get("acceptances") or [])
        if acceptances:
            warnings.append(
                f"{ref}: {acceptances} risk acceptance{'s were' if acceptances != 1 else ' was'} not imported; "
                "an approver decides again for this assessment."
            )
    for m in sorted(document.get("mitigations") or [], key=lambda m: _number(m.get("ref", "")) or 0):
        ref = m.get("ref", "?")
        try:
            with transaction.atomic():
                _write_mitigation(assessment, m, by, members, scenario_ids)
        except _Located as exc:
            problems.extend(Problem(ref, key, " ".join(msgs)) for key, msgs in exc.problems.items())
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(ref, "", f"The mitigation is incomplete or malformed ({exc})."))
    if document.get("approvals"):
        warnings.append("Approvals are not imported: the new assessment starts as a draft.")
    return assessment, problems, warnings


def _member(members: dict[str, User], name: str | None, field: str) -> User | None:
    if not name:
        return None
    user = members.get(name.lower())
    if user is None:
        raise _Located({field: [f"{name} is not a member of this project."]})
    return user


def _write_scenario(assessment, s: dict, by, members, templates, warnings) -> int:
    _reserve(assessment, "last_hazard_number", _number(s["ref"]))
    template = templates.get(s.get("template")) if s.get("template") else None
    if s.get("template") and template is None:
        warnings.append(f"{s['ref']}: catalogue template {s['template']} is not loaded here; the link was dropped.")
    try:
        scenario = services.hazard_create(
            assessment_id=assessment.pk,
            by=by,
            title=s["title"],
            description=s.get("description", ""),
            category=s.get("category", "other"),
            causes=s.get("causes", ""),
            affected_parties=s.get("affected_parties", ""),
            inherent_likelihood=s["inherent"]["likelihood"],
            inherent_severity=s["inherent"]["severity"],
            residual_likelihood=s["residual"]["likelihood"],
            residual_severity=s["residual"]["severity"],
            treatment=s.get("treatment", "mitigate"),
            owner=_member(members, s.get("owner"), "owner"),
            source_template=HazardTemplate(pk=template) if template else None,
        )
        for c in s.get("consequences") or []:
            services.consequence_create(
                hazard_id=scenario.pk,
                by=by,
                description=c["description"],
                harm_type=c["harm_type"],
                affected_party=c["affected_party"],
                severity=c["severity"],
            )
        if s["inherent"]["severity"] is None and s.get("consequences"):
            # A consequence fills an unrated severity in; the export said unrated, so it stays unrated.
            services.hazard_update(hazard_id=scenario.pk, by=by, expected_version=None, inherent_severity=None)
    except InvalidInput as exc:
        raise _located(exc, {}) from None
    return scenario.pk


def _write_mitigation(assessment, m: dict, by, members, scenario_ids: dict[str, int]) -> None:
    _reserve(assessment, "last_mitigation_number", _number(m["ref"]))
    missing = [ref for ref in m.get("scenarios") or [] if ref not in scenario_ids]
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
        services.mitigation_create(
            assessment_id=assessment.pk,
            by=by,
            title=m["title"],
            kind=m["kind"],
            description=m.get("description", ""),
            hazard_ids=[scenario_ids[ref] for ref in m.get("scenarios") or []],
            **{key: value for key, value in tracking.items() if value not in (None, "")},
        )
    except InvalidInput as exc:
        raise _located(exc, {}) from None
