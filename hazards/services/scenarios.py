"""Write operations on hazard scenarios, and keeping their derived risk levels in step with the matrix."""

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from assessments import audit, permissions, workflow
from assessments.errors import InvalidInput
from assessments.models import Assessment, Via
from assessments.versioning import check_version, lock, save_versioned
from hazards import scoring
from hazards.models import Category, HazardScenario, HazardTemplate, Mitigation, Treatment
from hazards.services.acceptances import notify_needs_acceptance
from hazards.services.common import (
    bump_content_seq,
    check_choice,
    check_owner,
    check_text,
    lock_for_content,
    raise_if,
    reject_unknown,
)

BATCH_SIZE = 500
EXTERNAL_REF_MAX_LENGTH = HazardScenario._meta.get_field("external_ref").max_length
RATING_FIELDS = ["inherent_likelihood", "inherent_severity", "residual_likelihood", "residual_severity"]
SCENARIO_FIELDS = [
    "title",
    "external_ref",
    "description",
    "category",
    "causes",
    "affected_parties",
    *RATING_FIELDS,
    "treatment",
    "owner",
]


def derived_levels(matrix: dict, values: dict) -> dict:
    """inherent/residual level keys and ranks for a scenario's ratings (empty and 0 while unrated)."""
    derived = {}
    for stage in ("inherent", "residual"):
        level = scoring.level_for(matrix, values.get(f"{stage}_likelihood"), values.get(f"{stage}_severity"))
        derived[f"{stage}_level"] = level.key if level else ""
        derived[f"{stage}_rank"] = level.rank if level else 0
    return derived


def _clean(assessment: Assessment, changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    check_text(changes, "title", errors, required=True, max_length=200)
    check_text(changes, "external_ref", errors, max_length=EXTERNAL_REF_MAX_LENGTH)
    for field in ("description", "causes", "affected_parties"):
        check_text(changes, field, errors)
    check_choice(changes, "category", Category, errors)
    check_choice(changes, "treatment", Treatment, errors)
    for field in RATING_FIELDS:
        if field not in changes:
            continue
        value = changes[field]
        if value == "":
            value = changes[field] = None
        axis = field.split("_")[1]
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not scoring.in_range(assessment.matrix, axis, value)
        ):
            size = scoring.axis_size(assessment.matrix, axis)
            errors[field] = [f"Choose a {axis} between 1 and {size} on this assessment's matrix, or leave it unrated."]
    if "owner" in changes:
        check_owner(assessment, changes["owner"], errors)
    raise_if(errors)
    return changes


def _next_number(assessment: Assessment) -> int:
    # The assessment row is locked by the caller, so the counter cannot be taken twice.
    assessment.last_hazard_number += 1
    Assessment.objects.filter(pk=assessment.pk).update(last_hazard_number=assessment.last_hazard_number)
    return assessment.last_hazard_number


def build_scenario(assessment: Assessment, by: User | None, fields: dict) -> HazardScenario:
    """Insert a scenario with the next ref; the caller holds the assessment lock and writes the audit."""
    number = _next_number(assessment)
    values = {"category": Category.OTHER, "treatment": Treatment.MITIGATE, **fields}
    return HazardScenario.objects.create(
        assessment=assessment,
        number=number,
        ref=f"H-{number:03d}",
        created_by=by,
        **values,
        **derived_levels(assessment.matrix, values),
    )


@transaction.atomic
def hazard_create(
    *,
    assessment_id: int,
    by: User,
    title: str,
    via: str = Via.WEB,
    source_template: HazardTemplate | None = None,
    **fields,
) -> HazardScenario:
    assessment = lock_for_content(assessment_id, by)
    reject_unknown(fields, SCENARIO_FIELDS)
    values = _clean(assessment, {"title": title, **fields})
    scenario = build_scenario(assessment, by, {**values, "source_template": source_template})
    audit.record(
        actor=by,
        via=via,
        action="hazard.created",
        project=assessment.project,
        assessment=assessment,
        obj=scenario,
        changes=audit.snapshot_fields(scenario, list(values)),
    )
    notify_needs_acceptance(scenario=scenario, assessment=assessment, by=by)
    return scenario


@transaction.atomic
def hazard_update(
    *, hazard_id: int, by: User, expected_version: int | None, via: str = Via.WEB, **changes
) -> HazardScenario:
    assessment_id = HazardScenario.objects.values_list("assessment_id", flat=True).get(pk=hazard_id)
    assessment = lock_for_content(assessment_id, by)
    scenario = lock(HazardScenario, hazard_id)
    check_version(scenario, expected_version)
    reject_unknown(changes, SCENARIO_FIELDS)
    diff = audit.field_changes(scenario, _clean(assessment, changes))
    if not diff:
        return scenario
    values = {field: changes[field] for field in diff}
    if set(values) & set(RATING_FIELDS):
        merged = {field: values.get(field, getattr(scenario, field)) for field in RATING_FIELDS}
        derived = derived_levels(assessment.matrix, merged)
        values.update(derived)
        for stage in ("inherent", "residual"):
            if derived[f"{stage}_level"] != getattr(scenario, f"{stage}_level"):
                diff[f"{stage}_level"] = [getattr(scenario, f"{stage}_level"), derived[f"{stage}_level"]]
    save_versioned(scenario, scenario.version, values)
    audit.record(
        actor=by,
        via=via,
        action="hazard.updated",
        project=assessment.project,
        assessment=assessment,
        obj=scenario,
        changes=diff,
    )
    if "treatment" in diff:
        notify_needs_acceptance(scenario=scenario, assessment=assessment, by=by)
    return scenario


def _unlink_mitigations(scenario: HazardScenario, assessment: Assessment, by: User, via: str) -> None:
    """The mitigations addressing a deleted scenario change too (their scenario list): new version, audited."""
    for mitigation in Mitigation.objects.select_for_update().filter(scenarios=scenario).order_by("pk"):
        before = list(mitigation.scenarios.order_by("number").values_list("ref", flat=True))
        save_versioned(mitigation, mitigation.version, {})
        audit.record(
            actor=by,
            via=via,
            action="mitigation.updated",
            project=assessment.project,
            assessment=assessment,
            obj=mitigation,
            changes={"scenarios": [before, [ref for ref in before if ref != scenario.ref]]},
        )


@transaction.atomic
def hazard_delete(*, hazard_id: int, by: User, expected_version: int | None, via: str = Via.WEB) -> None:
    assessment_id = HazardScenario.objects.values_list("assessment_id", flat=True).get(pk=hazard_id)
    assessment = lock_for_content(assessment_id, by)
    scenario = lock(HazardScenario, hazard_id)
    check_version(scenario, expected_version)
    _unlink_mitigations(scenario, assessment, by, via)
    audit.record(
        actor=by,
        via=via,
        action="hazard.deleted",
        project=assessment.project,
        assessment=assessment,
        obj=scenario,
        changes={
            field: [value, None] for field, (_, value) in audit.snapshot_fields(scenario, SCENARIO_FIELDS).items()
        },
    )
    scenario.delete()


RATING_AND_LEVEL_FIELDS = [*RATING_FIELDS, "inherent_level", "residual_level"]
DERIVED_FIELDS = ["inherent_level", "inherent_rank", "residual_level", "residual_rank"]


@dataclass(frozen=True)
class MatrixChange:
    """What re-rating an assessment on a matrix did, for the caller to report."""

    assessment: Assessment
    changed: bool  # False when the assessment was already on this matrix: nothing was written
    ratings_cleared: int = 0
    scenarios_changed: int = 0


def rescore_all(*, assessment: Assessment, by: User, via: str) -> tuple[int, int]:
    """Recompute every scenario's levels after a matrix change; clears ratings off the new axes.

    Only scenarios whose ratings or levels change get a new version (an open edit form of any other one
    still saves) and a `hazard.updated` event, as an edit of those fields would. Returns (ratings cleared,
    scenarios changed). The caller holds the assessment lock.
    """
    cleared = 0
    now = timezone.now()
    written: list[HazardScenario] = []
    events = []
    for scenario in assessment.scenarios.order_by("number"):
        values = {}
        for field in RATING_FIELDS:
            axis = field.split("_")[1]
            if not scoring.in_range(assessment.matrix, axis, getattr(scenario, field)):
                values[field] = None
                cleared += 1
        ratings = {field: values.get(field, getattr(scenario, field)) for field in RATING_FIELDS}
        values.update(derived_levels(assessment.matrix, ratings))
        changes = audit.field_changes(scenario, values)
        if not changes:
            continue
        for field, value in values.items():
            setattr(scenario, field, value)
        written.append(scenario)
        # A rank alone is the sort key of an unchanged level (another matrix ranks it differently): it is
        # rewritten, but nobody sees a change, so there is no new version and no event.
        diff = {field: change for field, change in changes.items() if field in RATING_AND_LEVEL_FIELDS}
        if not diff:
            continue
        scenario.version += 1
        scenario.updated_at = now
        events.append(
            audit.build(
                actor=by,
                via=via,
                action="hazard.updated",
                project=assessment.project,
                assessment=assessment,
                obj=scenario,
                changes=diff,
            )
        )
    # updated_at moves with the version, so sync clients paging by updated_since see the re-rating.
    HazardScenario.objects.bulk_update(
        written, [*RATING_FIELDS, *DERIVED_FIELDS, "version", "updated_at"], batch_size=BATCH_SIZE
    )
    audit.record_many(events, batch_size=BATCH_SIZE)
    return cleared, len(events)


@transaction.atomic
def assessment_set_matrix(
    *, assessment_id: int, by: User, expected_version: int | None, matrix: dict, via: str = Via.WEB
) -> MatrixChange:
    """Re-rate a draft on another matrix: ratings outside the new axes are cleared, levels recomputed."""
    assessment = lock(Assessment, assessment_id)
    if not permissions.can_manage(by, assessment.project):
        raise PermissionDenied("Only project owners can change an assessment's risk matrix.")
    workflow.ensure_editable(assessment)
    check_version(assessment, expected_version)
    try:
        scoring.validate(matrix)
    except scoring.MatrixError as exc:
        raise InvalidInput({"matrix": exc.problems}) from None
    if matrix == assessment.matrix:
        return MatrixChange(assessment=assessment, changed=False)
    before = assessment.matrix.get("name", "custom")
    bump_content_seq(assessment)
    save_versioned(assessment, assessment.version, {"matrix": matrix})
    cleared, rescored = rescore_all(assessment=assessment, by=by, via=via)
    audit.record(
        actor=by,
        via=via,
        action="assessment.updated",
        project=assessment.project,
        assessment=assessment,
        obj=assessment,
        object_ref=f"rev {assessment.revision}",
        changes={"matrix": [before, matrix.get("name", "custom")], "ratings_cleared": [0, cleared]},
    )
    return MatrixChange(assessment=assessment, changed=True, ratings_cleared=cleared, scenarios_changed=rescored)
