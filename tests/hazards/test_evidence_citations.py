"""Scenarios citing evaluation results: the suggestion and its reasons, accepting it as an audited edit,
stale evidence flagged and guarded, and the evidence in the signed snapshot and the diff."""

import datetime

import pytest
from django.utils import timezone

from assessments import snapshot
from assessments.errors import InvalidInput, InvalidTransition
from assessments.models import AuditEvent
from assessments.services import assessments as assessment_services
from assessments.services import workflow
from evaluations.demo import DEMO_RUNS
from evaluations.services import demo as demo_services
from hazards import services
from hazards.evidence import scenario_evidence
from tests.factories import make_hazard


@pytest.fixture
def rubric_run(project, contributor):
    return demo_services.demo_run_create(project=project, by=contributor, spec=DEMO_RUNS[1])


@pytest.fixture
def cited(assessment, contributor, rubric_run):
    assessment_services.assessment_update(
        assessment_id=assessment.pk,
        by=contributor,
        expected_version=assessment.version,
        model_version=rubric_run.model_version,
        model_name=rubric_run.model_name,
        typical_spec_level=3,
        user_expertise="novice",
    )
    hazard = make_hazard(assessment, contributor, inherent_likelihood=2)
    citation = services.citation_create(
        hazard_id=hazard.pk, by=contributor, run_id=rubric_run.pk, relation="capability_gap"
    )
    hazard.refresh_from_db()
    return hazard, citation


def test_the_suggestion_follows_the_rule_and_shows_its_reasons(cited):
    hazard, _ = cited
    (evidence,) = scenario_evidence(hazard, hazard.assessment)
    assert evidence.stale == []
    rate = evidence.level_row["pass_at_1"]
    assert evidence.suggestion.figures["measured_level"] == 3
    assert f"fails {round((1 - rate) * 100)}%" in evidence.suggestion.reasons[0]
    assert any(reason.startswith("+1: users are novices") for reason in evidence.suggestion.reasons)
    assert evidence.suggestion.value >= 3


def test_accepting_it_is_an_ordinary_audited_edit_and_nothing_changes_by_itself(cited, contributor):
    hazard, citation = cited
    assert hazard.inherent_likelihood == 2  # citing changes no rating
    value = scenario_evidence(hazard, hazard.assessment)[0].suggestion.value
    updated = services.suggestion_accept(citation_id=citation.pk, by=contributor, expected_version=hazard.version)
    assert updated.inherent_likelihood == value
    event = AuditEvent.objects.filter(action="hazard.updated", object_id=hazard.pk).latest("id")
    assert event.changes["inherent_likelihood"] == [2, value]
    assert AuditEvent.objects.filter(action="citation.created", object_ref=hazard.ref).exists()


def test_evidence_about_another_version_or_too_old_is_stale_and_can_block_submission(cited, contributor, rubric_run):
    hazard, _ = cited
    assessment = hazard.assessment
    assessment_services.assessment_update(
        assessment_id=assessment.pk, by=contributor, expected_version=assessment.version, model_version="2027.01"
    )
    assessment.refresh_from_db()
    (evidence,) = scenario_evidence(hazard, assessment)
    assert "the assessment is about version 2027.01" in evidence.stale[0]
    assert workflow.submit_warnings(assessment)[0].startswith("1 cited evaluation result is stale (H-001)")
    assessment.project.stale_evidence_blocks_submit = True
    assessment.project.save()
    assessment.refresh_from_db()
    assert any("does not accept stale evidence" in p for p in workflow.submit_problems(assessment))
    with pytest.raises(InvalidTransition):
        workflow.assessment_submit(assessment_id=assessment.pk, by=contributor, expected_version=assessment.version)
    type(rubric_run).objects.filter(pk=rubric_run.pk).update(finished_at=timezone.now() - datetime.timedelta(days=400))
    rubric_run.refresh_from_db()
    assert any(
        "older than the project's limit of 180 days" in r for r in scenario_evidence(hazard, assessment)[0].stale
    )


def test_the_snapshot_names_the_evidence_and_the_diff_shows_it_change(cited, contributor, rubric_run):
    from assessments.diff import diff_contents

    hazard, citation = cited
    content = snapshot.content(hazard.assessment)
    (item,) = content["scenarios"][0]["evidence"]
    assert (item["run"], item["results_sha256"], item["suite"], item["seed"]) == (
        str(rubric_run.uid),
        rubric_run.results_sha256,
        "spec-rubric",
        0,
    )
    assert content["assessment"]["capability_context"] == {"typical_spec_level": 3, "user_expertise": "novice"}
    services.citation_delete(citation_id=citation.pk, by=contributor)
    after = snapshot.content(hazard.assessment)
    assert "evidence" not in after["scenarios"][0]
    diff = diff_contents(content, after)
    assert diff["summary"]["evidence_removed"] == 1
    assert diff["scenarios"]["changed"][0]["evidence"]["removed"][0]["run_ref"] == rubric_run.ref


def test_only_completed_runs_of_the_same_project_can_be_cited(assessment, contributor, other_project, outsider):
    foreign = demo_services.demo_run_create(project=other_project, by=outsider, spec=DEMO_RUNS[1])
    hazard = make_hazard(assessment, contributor)
    with pytest.raises(InvalidInput, match="Choose an evaluation run of this project"):
        services.citation_create(hazard_id=hazard.pk, by=contributor, run_id=foreign.pk, relation="capability_gap")
