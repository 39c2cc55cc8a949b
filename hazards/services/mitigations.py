"""Write operations on mitigations and their links to the scenarios they address."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from assessments import audit
from assessments.models import Assessment, Via
from assessments.versioning import check_version, lock, save_versioned
from hazards.models import HazardScenario, Mitigation, MitigationKind, MitigationStatus
from hazards.services.common import (
    check_choice,
    check_owner,
    check_text,
    lock_for_content,
    raise_if,
    reject_unknown,
)

# Progress tracking, which may change after sign-off (see workflow.TRACKING_STATUSES).
TRACKING_FIELDS = [
    "owner",
    "due_date",
    "status",
    "verification_note",
    "external_system",
    "external_key",
    "external_url",
    "external_synced_at",
]
MITIGATION_FIELDS = ["title", "description", "kind", *TRACKING_FIELDS]


def _clean(
    assessment: Assessment,
    changes: dict,
    mitigation: Mitigation | None = None,
    *,
    known_tickets: dict[tuple[str, str], str] | None = None,
) -> dict:
    """Check a mitigation's fields; `known_tickets` ((system, key) → ref) replaces the clash query when
    many mitigations are checked at once (imports)."""
    errors: dict[str, list[str]] = {}
    check_text(changes, "title", errors, required=True, max_length=200)
    check_text(changes, "description", errors)
    check_text(changes, "verification_note", errors)
    check_text(changes, "external_system", errors, max_length=50)
    check_text(changes, "external_key", errors, max_length=100)
    check_text(changes, "external_url", errors, max_length=500)
    check_choice(changes, "kind", MitigationKind, errors)
    check_choice(changes, "status", MitigationStatus, errors)
    if "owner" in changes:
        check_owner(assessment, changes["owner"], errors)
    if changes.get("due_date") is not None and not isinstance(changes["due_date"], datetime.date):
        errors["due_date"] = ["Enter a valid date."]
    if changes.get("external_url"):
        try:
            URLValidator(schemes=["http", "https"])(changes["external_url"])
        except ValidationError:
            errors["external_url"] = ["Enter a full http(s) link to the ticket."]
    system = changes.get("external_system", mitigation.external_system if mitigation else "")
    key = changes.get("external_key", mitigation.external_key if mitigation else "")
    if key and not system:
        errors["external_system"] = ["Name the ticketing system (e.g. jira) the key belongs to."]
    elif key:
        if known_tickets is not None:
            ref = known_tickets.get((system, key))
        else:
            clash = assessment.mitigations.filter(external_system=system, external_key=key)
            if mitigation is not None:
                clash = clash.exclude(pk=mitigation.pk)
            ref = clash.values_list("ref", flat=True).first()
        if ref:
            errors["external_key"] = [f"{system} {key} is already linked to {ref} in this assessment."]
    raise_if(errors)
    return changes


def _scenarios_in(assessment: Assessment, hazard_ids) -> list[HazardScenario]:
    ids = {int(pk) for pk in hazard_ids}
    found = list(assessment.scenarios.filter(pk__in=ids).order_by("number"))
    if len(found) != len(ids):
        raise_if({"scenarios": ["Every scenario must belong to this assessment."]})
    return found


def build_mitigation(assessment: Assessment, by: User | None, fields: dict) -> Mitigation:
    """Insert a mitigation with the next ref; the caller holds the assessment lock and writes the audit."""
    assessment.last_mitigation_number += 1
    Assessment.objects.filter(pk=assessment.pk).update(last_mitigation_number=assessment.last_mitigation_number)
    number = assessment.last_mitigation_number
    return Mitigation.objects.create(
        assessment=assessment, number=number, ref=f"M-{number:03d}", created_by=by, **fields
    )


@transaction.atomic
def mitigation_create(
    *, assessment_id: int, by: User, title: str, kind: str, via: str = Via.WEB, hazard_ids=(), **fields
) -> Mitigation:
    assessment = lock_for_content(assessment_id, by)
    reject_unknown(fields, MITIGATION_FIELDS)
    values = _clean(assessment, {"title": title, "kind": kind, **fields})
    scenarios = _scenarios_in(assessment, hazard_ids)
    mitigation = build_mitigation(assessment, by, values)
    mitigation.scenarios.set(scenarios)
    changes = audit.snapshot_fields(mitigation, list(values))
    changes["scenarios"] = [None, [s.ref for s in scenarios]]
    audit.record(
        actor=by,
        via=via,
        action="mitigation.created",
        project=assessment.project,
        assessment=assessment,
        obj=mitigation,
        changes=changes,
    )
    return mitigation


@transaction.atomic
def mitigation_update(
    *, mitigation_id: int, by: User, expected_version: int | None, via: str = Via.WEB, **changes
) -> Mitigation:
    reject_unknown(changes, MITIGATION_FIELDS)
    assessment_id = Mitigation.objects.values_list("assessment_id", flat=True).get(pk=mitigation_id)
    assessment = lock_for_content(assessment_id, by, tracking_only=set(changes) <= set(TRACKING_FIELDS))
    mitigation = lock(Mitigation, mitigation_id)
    check_version(mitigation, expected_version)
    diff = audit.field_changes(mitigation, _clean(assessment, changes, mitigation))
    if not diff:
        return mitigation
    save_versioned(mitigation, mitigation.version, {field: changes[field] for field in diff})
    audit.record(
        actor=by,
        via=via,
        action="mitigation.updated",
        project=assessment.project,
        assessment=assessment,
        obj=mitigation,
        changes=diff,
    )
    return mitigation


@transaction.atomic
def mitigation_delete(*, mitigation_id: int, by: User, expected_version: int | None, via: str = Via.WEB) -> None:
    assessment_id = Mitigation.objects.values_list("assessment_id", flat=True).get(pk=mitigation_id)
    assessment = lock_for_content(assessment_id, by)
    mitigation = lock(Mitigation, mitigation_id)
    check_version(mitigation, expected_version)
    changes = {f: [v, None] for f, (_, v) in audit.snapshot_fields(mitigation, MITIGATION_FIELDS).items()}
    changes["scenarios"] = [list(mitigation.scenarios.order_by("number").values_list("ref", flat=True)), None]
    audit.record(
        actor=by,
        via=via,
        action="mitigation.deleted",
        project=assessment.project,
        assessment=assessment,
        obj=mitigation,
        changes=changes,
    )
    mitigation.delete()


@transaction.atomic
def mitigation_set_scenarios(
    *, mitigation_id: int, by: User, expected_version: int | None, hazard_ids, via: str = Via.WEB
) -> Mitigation:
    """Replace the set of scenarios a mitigation addresses (link and unlink go through here)."""
    assessment_id = Mitigation.objects.values_list("assessment_id", flat=True).get(pk=mitigation_id)
    assessment = lock_for_content(assessment_id, by)
    mitigation = lock(Mitigation, mitigation_id)
    check_version(mitigation, expected_version)
    scenarios = _scenarios_in(assessment, hazard_ids)
    before = list(mitigation.scenarios.order_by("number").values_list("ref", flat=True))
    after = [s.ref for s in scenarios]
    if before == after:
        return mitigation
    save_versioned(mitigation, mitigation.version, {})
    mitigation.scenarios.set(scenarios)
    audit.record(
        actor=by,
        via=via,
        action="mitigation.updated",
        project=assessment.project,
        assessment=assessment,
        obj=mitigation,
        changes={"scenarios": [before, after]},
    )
    return mitigation


def _current_ids(mitigation_id: int, by: User) -> set[int]:
    # Take the locks before reading the current links, so a concurrent link is not lost.
    assessment_id = Mitigation.objects.values_list("assessment_id", flat=True).get(pk=mitigation_id)
    lock_for_content(assessment_id, by)
    return set(lock(Mitigation, mitigation_id).scenarios.values_list("pk", flat=True))


@transaction.atomic
def mitigation_link(
    *, mitigation_id: int, hazard_id: int, by: User, expected_version: int | None, via: str = Via.WEB
) -> Mitigation:
    return mitigation_set_scenarios(
        mitigation_id=mitigation_id,
        by=by,
        expected_version=expected_version,
        hazard_ids=_current_ids(mitigation_id, by) | {hazard_id},
        via=via,
    )


@transaction.atomic
def mitigation_unlink(
    *, mitigation_id: int, hazard_id: int, by: User, expected_version: int | None, via: str = Via.WEB
) -> Mitigation:
    return mitigation_set_scenarios(
        mitigation_id=mitigation_id,
        by=by,
        expected_version=expected_version,
        hazard_ids=_current_ids(mitigation_id, by) - {hazard_id},
        via=via,
    )


@transaction.atomic
def mitigation_edit(
    *,
    mitigation_id: int,
    by: User,
    expected_version: int | None,
    hazard_ids=None,
    via: str = Via.WEB,
    **changes,
) -> Mitigation:
    """Fields and scenario links in one transaction, against one expected version (what an API PATCH sends)."""
    mitigation = mitigation_update(
        mitigation_id=mitigation_id, by=by, expected_version=expected_version, via=via, **changes
    )
    if hazard_ids is not None:
        mitigation = mitigation_set_scenarios(
            mitigation_id=mitigation_id, by=by, expected_version=mitigation.version, hazard_ids=hazard_ids, via=via
        )
    return mitigation
