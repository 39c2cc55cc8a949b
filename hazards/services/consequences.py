"""Write operations on consequences, the first-class harms under a scenario."""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from assessments import audit
from assessments.models import Assessment, Via
from assessments.versioning import check_version, lock, save_versioned
from hazards import scoring
from hazards.models import AffectedParty, Consequence, HarmType, HazardScenario
from hazards.services.common import check_choice, check_text, lock_for_content, raise_if, reject_unknown
from hazards.services.scenarios import derived_levels

CONSEQUENCE_FIELDS = ["description", "harm_type", "affected_party", "severity"]


def _clean(assessment: Assessment, changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    check_text(changes, "description", errors, required=True)
    check_choice(changes, "harm_type", HarmType, errors)
    check_choice(changes, "affected_party", AffectedParty, errors)
    if "severity" in changes:
        value = changes["severity"]
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not scoring.in_range(assessment.matrix, "severity", value)
        ):
            errors["severity"] = [
                f"Choose a severity between 1 and {scoring.axis_size(assessment.matrix, 'severity')} "
                "on this assessment's matrix."
            ]
    raise_if(errors)
    return changes


def _default_scenario_severity(scenario: HazardScenario, assessment: Assessment, by: User, via: str) -> None:
    """An unrated scenario takes its inherent severity from its worst consequence."""
    if scenario.inherent_severity is not None:
        return
    worst = scenario.consequences.aggregate(worst=Max("severity"))["worst"]
    if worst is None:
        return
    ratings = {
        "inherent_likelihood": scenario.inherent_likelihood,
        "inherent_severity": worst,
        "residual_likelihood": scenario.residual_likelihood,
        "residual_severity": scenario.residual_severity,
    }
    changes = {"inherent_severity": worst, **derived_levels(assessment.matrix, ratings)}
    diff = audit.field_changes(scenario, changes)
    save_versioned(scenario, scenario.version, changes)
    audit.record(
        actor=by,
        via=via,
        action="hazard.updated",
        project=assessment.project,
        assessment=assessment,
        obj=scenario,
        changes=diff,
    )


@transaction.atomic
def consequence_create(*, hazard_id: int, by: User, via: str = Via.WEB, **fields) -> Consequence:
    assessment_id = HazardScenario.objects.values_list("assessment_id", flat=True).get(pk=hazard_id)
    assessment = lock_for_content(assessment_id, by)
    scenario = lock(HazardScenario, hazard_id)
    reject_unknown(fields, CONSEQUENCE_FIELDS)
    missing = [f for f in CONSEQUENCE_FIELDS if f not in fields]
    raise_if({f: ["This field is required."] for f in missing})
    values = _clean(assessment, dict(fields))
    consequence = Consequence.objects.create(scenario=scenario, **values)
    audit.record(
        actor=by,
        via=via,
        action="consequence.created",
        project=assessment.project,
        assessment=assessment,
        obj=consequence,
        object_ref=scenario.ref,
        changes=audit.snapshot_fields(consequence, CONSEQUENCE_FIELDS),
    )
    _default_scenario_severity(scenario, assessment, by, via)
    return consequence


@transaction.atomic
def consequence_update(
    *, consequence_id: int, by: User, expected_version: int | None, via: str = Via.WEB, **changes
) -> Consequence:
    scenario_id = Consequence.objects.values_list("scenario_id", flat=True).get(pk=consequence_id)
    scenario = HazardScenario.objects.only("assessment_id").get(pk=scenario_id)
    assessment = lock_for_content(scenario.assessment_id, by)
    consequence = lock(Consequence, consequence_id)
    check_version(consequence, expected_version)
    reject_unknown(changes, CONSEQUENCE_FIELDS)
    diff = audit.field_changes(consequence, _clean(assessment, changes))
    if not diff:
        return consequence
    save_versioned(consequence, consequence.version, {field: changes[field] for field in diff})
    scenario = HazardScenario.objects.get(pk=scenario_id)
    audit.record(
        actor=by,
        via=via,
        action="consequence.updated",
        project=assessment.project,
        assessment=assessment,
        obj=consequence,
        object_ref=scenario.ref,
        changes=diff,
    )
    _default_scenario_severity(scenario, assessment, by, via)
    return consequence


@transaction.atomic
def consequence_delete(*, consequence_id: int, by: User, expected_version: int | None, via: str = Via.WEB) -> None:
    scenario_id = Consequence.objects.values_list("scenario_id", flat=True).get(pk=consequence_id)
    scenario = HazardScenario.objects.get(pk=scenario_id)
    assessment = lock_for_content(scenario.assessment_id, by)
    consequence = lock(Consequence, consequence_id)
    check_version(consequence, expected_version)
    audit.record(
        actor=by,
        via=via,
        action="consequence.deleted",
        project=assessment.project,
        assessment=assessment,
        obj=consequence,
        object_ref=scenario.ref,
        changes={f: [v, None] for f, (_, v) in audit.snapshot_fields(consequence, CONSEQUENCE_FIELDS).items()},
    )
    consequence.delete()
