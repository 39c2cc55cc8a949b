"""Citing evaluation results as a scenario's evidence, and accepting the likelihood they suggest."""

from django.contrib.auth.models import User
from django.db import transaction

from assessments import audit
from assessments.errors import InvalidInput
from assessments.models import Via
from assessments.versioning import lock
from evaluations import limits
from evaluations.models import EvaluationRun
from hazards.evidence import suggestion_for
from hazards.models import EvidenceCitation, EvidenceRelation, HazardScenario
from hazards.services.common import lock_for_content
from hazards.services.scenarios import hazard_update

CITATION_FIELDS = ["run", "relation", "level", "note"]


def _scenario_locked(hazard_id: int, by: User) -> tuple[HazardScenario, object]:
    assessment_id = HazardScenario.objects.values_list("assessment_id", flat=True).get(pk=hazard_id)
    assessment = lock_for_content(assessment_id, by)
    return lock(HazardScenario, hazard_id), assessment


@transaction.atomic
def citation_create(
    *, hazard_id: int, by: User, run_id, relation: str, level=None, note: str = "", via: str = Via.WEB
) -> EvidenceCitation:
    scenario, assessment = _scenario_locked(hazard_id, by)
    errors: dict[str, list[str]] = {}
    run = EvaluationRun.objects.filter(pk=run_id, project_id=assessment.project_id).first() if run_id else None
    if run is None:
        errors["run"] = ["Choose an evaluation run of this project."]
    elif run.status != "completed":
        errors["run"] = [f"{run.ref} has not completed; only finished results can be cited."]
    elif EvidenceCitation.objects.filter(scenario=scenario, run=run).exists():
        errors["run"] = [f"{scenario.ref} already cites {run.ref}."]
    if relation not in EvidenceRelation.values:
        errors["relation"] = [f"Choose one of: {', '.join(EvidenceRelation.values)}."]
    if level in ("", None):
        level = None
    elif isinstance(level, bool) or not isinstance(level, int) or limits.LEVEL.check(level):
        errors["level"] = ["Give the level the hazard needs as a whole number, or leave it empty."]
    note = (note or "").strip()
    if len(note) > limits.NOTE_MAX:
        errors["note"] = [f"Keep the note under {limits.NOTE_MAX} characters."]
    if errors:
        raise InvalidInput(errors)
    citation = EvidenceCitation.objects.create(
        scenario=scenario, run=run, relation=relation, level=level, note=note, created_by=by
    )
    audit.record(
        actor=by,
        via=via,
        action="citation.created",
        project=assessment.project,
        assessment=assessment,
        obj=citation,
        object_ref=scenario.ref,
        changes={
            "run": [None, run.ref],
            "relation": [None, relation],
            "level": [None, level],
            "note": [None, note],
        },
    )
    return citation


@transaction.atomic
def citation_delete(*, citation_id: int, by: User, via: str = Via.WEB) -> None:
    citation = EvidenceCitation.objects.select_related("run").get(pk=citation_id)
    scenario, assessment = _scenario_locked(citation.scenario_id, by)
    audit.record(
        actor=by,
        via=via,
        action="citation.deleted",
        project=assessment.project,
        assessment=assessment,
        obj=citation,
        object_ref=scenario.ref,
        changes={"run": [citation.run.ref, None], "relation": [citation.relation, None]},
    )
    citation.delete()


def suggestion_accept(
    *, citation_id: int, by: User, expected_version: int | None, stage: str = "inherent", via: str = Via.WEB
) -> HazardScenario:
    """Set the scenario's likelihood to what the cited evidence suggests: an ordinary, audited edit."""
    citation = EvidenceCitation.objects.select_related("run", "scenario__assessment__project").get(pk=citation_id)
    if stage not in ("inherent", "residual"):
        raise InvalidInput({"stage": ["Choose inherent or residual."]})
    suggestion = suggestion_for(citation, citation.scenario.assessment)
    if suggestion.value is None:
        raise InvalidInput({"__all__": [suggestion.missing or "The evidence gives no suggestion."]})
    return hazard_update(
        hazard_id=citation.scenario_id,
        by=by,
        expected_version=expected_version,
        via=via,
        **{f"{stage}_likelihood": suggestion.value},
    )
