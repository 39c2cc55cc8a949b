"""Capability evidence in Chromium: a run uploaded in the browser is followed to its results and chart,
cited from a scenario, and its suggested likelihood accepted with one click (an audited edit)."""

import pytest
from playwright.sync_api import expect

from assessments.models import AuditEvent
from assessments.services import assessments as assessment_services
from evaluations.models import EvaluationRun
from tests.evaluations.conftest import completions_jsonl, rubric_tasks
from tests.factories import make_hazard

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_upload_a_run_follow_it_cite_it_and_accept_the_suggestion(
    project, assessment, contributor, browser_for, live_server, tmp_path, celery_eager
):
    # The worker's code runs in the server's request once the run commits (no thread outlives the test).
    assessment_services.assessment_update(
        assessment_id=assessment.pk,
        by=contributor,
        expected_version=assessment.version,
        typical_spec_level=4,
        user_expertise="novice",
    )
    hazard = make_hazard(assessment, contributor, inherent_likelihood=1)
    tasks = rubric_tasks()
    file = tmp_path / "completions.jsonl"
    file.write_bytes(completions_jsonl(tasks, wrong=frozenset(t.task_id for t in tasks if t.level >= 3)))

    page = browser_for(contributor)
    page.goto(f"{live_server.url}/projects/{project.pk}/evaluations/new/")
    page.locator("#id_suite").select_option("spec-rubric")
    page.get_by_label("Tasks per level").fill("1")
    page.locator("#id_model_name").fill("CodeGen-X")
    page.get_by_label("Completions file").set_input_files(str(file))
    page.get_by_role("button", name="Start the run").click()
    expect(page.get_by_role("heading", name="Pass rate by specification level")).to_be_visible(timeout=30_000)
    expect(page.locator("figure svg")).to_be_visible()
    run = EvaluationRun.objects.get()
    assert run.status == "completed"

    page.goto(f"{live_server.url}/hazards/{hazard.pk}/")
    page.get_by_label("Evaluation run").select_option(str(run.pk))
    page.get_by_label("How the hazard responds to capability").select_option("capability_gap")
    page.get_by_role("button", name="Cite as evidence").click()
    suggestion = page.locator("#evidence .alert.info")
    expect(suggestion).to_contain_text("Suggested likelihood: 5")
    expect(suggestion).to_contain_text("+1: users are novices")
    page.get_by_role("button", name="Set inherent likelihood to 5").click()
    expect(page.locator("#ratings")).to_contain_text("5 · Frequent")
    hazard.refresh_from_db()
    assert hazard.inherent_likelihood == 5
    assert AuditEvent.objects.filter(action="hazard.updated", object_id=hazard.pk).exists()
    assert page.console_errors == []
