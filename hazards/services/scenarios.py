"""Write operations on hazard scenarios, and keeping their derived risk levels in step with the matrix."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from assessments import audit, permissions, workflow
from assessments.errors import InvalidInput
from assessments.models import Assessment, Via
from assessments.versioning import check_version, lock, save_versioned
from hazards import scoring
from hazards.models import Category, HazardScenario, HazardTemplate, Treatment
from hazards.services.acceptances import notify_needs_acceptance
from hazards.services.common import (
    check_choice,
    check_owner,
    check_text,
    lock_for_content,
    raise_if,
    reject_unknown,
)

RATING_FIELDS = ["inherent_likelihood", "inherent_severity", "residual_likelihood", "residual_severity"]
SCENARIO_FIELDS = [
    "title",
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


@transaction.atomic
def hazard_delete(*, hazard_id: int, by: User, expected_version: int | None, via: str = Via.WEB) -> None:
    assessment_id = HazardScenario.objects.values_list("assessment_id", flat=True).get(pk=hazard_id)
    assessment = lock_for_content(assessment_id, by)
    scenario = lock(HazardScenario, hazard_id)
    check_version(scenario, expected_version)
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


def rescore_all(*, assessment: Assessment) -> int:
    """Recompute every scenario's levels after a matrix change; clears ratings off the new axes.

    Returns how many ratings were cleared. The caller holds the assessment lock.
    """
    cleared = 0
    scenarios = list(assessment.scenarios.all())
    for scenario in scenarios:
        for field in RATING_FIELDS:
            axis = field.split("_")[1]
            if not scoring.in_range(assessment.matrix, axis, getattr(scenario, field)):
                setattr(scenario, field, None)
                cleared += 1
        ratings = {field: getattr(scenario, field) for field in RATING_FIELDS}
        for field, value in derived_levels(assessment.matrix, ratings).items():
            setattr(scenario, field, value)
        scenario.version += 1
    HazardScenario.objects.bulk_update(
        scenarios,
        [*RATING_FIELDS, "inherent_level", "inherent_rank", "residual_level", "residual_rank", "version"],
        batch_size=500,
    )
    return cleared


@transaction.atomic
def assessment_set_matrix(
    *, assessment_id: int, by: User, expected_version: int | None, matrix: dict, via: str = Via.WEB
) -> Assessment:
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
        return assessment
    before = assessment.matrix.get("name", "custom")
    save_versioned(assessment, assessment.version, {"matrix": matrix})
    cleared = rescore_all(assessment=assessment)
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
    return assessment
