"""Evaluations in the browser and in the exports: runs, their chart and demo label, a scenario's evidence
with its suggestion, and the evidence section of PDF, XLSX and JSON."""

import io
import json
from pathlib import Path

import jsonschema
import openpyxl
import pypdf
import pytest
from django.urls import reverse

from assessments.exports import service
from assessments.models import ExportJob
from evaluations.demo import DEMO_RUNS
from evaluations.models import EvaluationRun
from evaluations.services import demo as demo_services
from hazards import services
from tests.evaluations.conftest import completions_jsonl, rubric_tasks
from tests.factories import make_hazard

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "export-schema.json").read_text())


@pytest.fixture
def evidence(project, assessment, contributor):
    run = demo_services.demo_run_create(project=project, by=contributor, spec=DEMO_RUNS[0])
    hazard = make_hazard(assessment, contributor, title="Plausible but incorrect code")
    services.citation_create(hazard_id=hazard.pk, by=contributor, run_id=run.pk, relation="capability_gap")
    return run, hazard


def test_the_run_page_shows_the_chart_the_levels_and_that_it_is_demo_data(evidence, viewer, client_for):
    run, hazard = evidence
    client = client_for(viewer)
    page = client.get(reverse("evaluation_run", args=[run.pk])).content.decode()
    assert "<svg" in page and "Demo data." in page and "Codex-12B" in page
    assert "Results per level" in page and "Insecure patterns (bandit)" in page and hazard.ref in page
    listing = client.get(reverse("evaluation_runs", args=[run.project_id])).content.decode()
    assert run.ref in listing and "demo data" in listing
    task_id = run.samples.values_list("task_id", flat=True).first()
    assert client.get(reverse("evaluation_run_task", args=[run.pk, task_id])).status_code == 200


def test_the_scenario_shows_its_evidence_and_the_suggestion_with_reasons(evidence, contributor, client_for):
    run, hazard = evidence
    page = client_for(contributor).get(reverse("hazard_detail", args=[hazard.pk])).content.decode()
    assert "Capability evidence" in page and run.ref in page
    assert "No suggestion: Set the typical chained steps" in page  # the assessment's context is not set yet


def test_uploading_completions_in_the_browser_starts_a_run(project, contributor, client_for, celery_eager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("completions.jsonl", completions_jsonl(rubric_tasks()))
    response = client_for(contributor).post(
        reverse("evaluation_run_new", args=[project.pk]),
        {
            "source": "upload",
            "suite": "spec-rubric",
            "tasks_per_level": 1,
            "seed": 0,
            "model_name": "CodeGen-X",
            "completions": upload,
        },
    )
    run = EvaluationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation_run", args=[run.pk])


def test_a_bad_upload_shows_its_problems_in_the_form(project, contributor, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(contributor).post(
        reverse("evaluation_run_new", args=[project.pk]),
        {
            "source": "upload",
            "suite": "spec-rubric",
            "tasks_per_level": 1,
            "seed": 0,
            "model_name": "m",
            "completions": SimpleUploadedFile("c.jsonl", b"{oops"),
        },
    )
    assert response.status_code == 400
    assert "line 1: not valid JSON" in response.content.decode()
    assert not EvaluationRun.objects.exists()


def _export(assessment, user, fmt) -> ExportJob:
    job = service.export_request(assessment_id=assessment.pk, by=user, format=fmt)
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE, job.error
    return job


def test_the_exports_carry_the_evidence_section(evidence, assessment, contributor, celery_eager, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run, _ = evidence
    document = json.loads(Path(_export(assessment, contributor, "json").file.path).read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["evidence"][0]["run_ref"] == run.ref and document["evidence"][0]["demo_data"] is True
    assert document["scenarios"][0]["evidence"][0]["results_sha256"] == run.results_sha256
    reader = pypdf.PdfReader(_export(assessment, contributor, "pdf").file.path)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Capability evidence" in text and "demo data: simulated model" in text and "Chained steps" in text
    workbook = openpyxl.load_workbook(io.BytesIO(Path(_export(assessment, contributor, "xlsx").file.path).read_bytes()))
    rows = list(workbook["Evidence"].values)
    assert rows[0][:3] == ("Run", "Model", "Model version") and len(rows) == 1 + 13
