"""Evidence in the exports: the list (name, SHA-256, size, who, when; links with their URL) in JSON, CSV,
XLSX and PDF, read back; and the JSON with the files themselves in a zip (include_files)."""

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import openpyxl
import pypdf
import pytest
from rest_framework.test import APIClient

from assessments.errors import InvalidInput
from assessments.exports import service
from assessments.models import ExportJob
from assessments.services import workflow
from hazards import services
from tests import attachment_files as files

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "export-schema.json").read_text())
PDF_SHA = hashlib.sha256(files.PDF).hexdigest()


@pytest.fixture
def evidenced(register, contributor, approver, django_capture_on_commit_callbacks):
    """The register with a pen-test report on H-001, a CI link on M-001, then approved."""
    scenario = register.scenarios.get(ref="H-001")
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_upload(
            by=contributor, upload=files.upload("pen-test.pdf", files.PDF), hazard_id=scenario.pk
        )
    services.attachment_link(
        by=contributor,
        url="https://ci.example.com/runs/42",
        title="CI run 42",
        mitigation_id=register.mitigations.get(ref="M-001").pk,
    )
    workflow.assessment_submit(assessment_id=register.pk, by=contributor)
    workflow.assessment_approve(assessment_id=register.pk, by=approver)
    register.refresh_from_db()
    return register


def export(assessment, user, fmt, **options) -> ExportJob:
    job = service.export_request(assessment_id=assessment.pk, by=user, format=fmt, **options)
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE, job.error
    return job


def test_the_json_export_lists_the_evidence_with_who_and_when(evidenced, contributor, celery_eager):
    data = json.loads(Path(export(evidenced, contributor, "json").file.path).read_text())
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    pdf, link = data["attachments"]
    assert {k: pdf[k] for k in ("on", "kind", "name", "type", "size", "sha256", "url", "added_by")} == {
        "on": "H-001",
        "kind": "file",
        "name": "pen-test.pdf",
        "type": "pdf",
        "size": len(files.PDF),
        "sha256": PDF_SHA,
        "url": None,
        "added_by": "alice",
    }
    assert pdf["added_at"]
    assert (link["on"], link["name"], link["url"]) == ("M-001", "CI run 42", "https://ci.example.com/runs/42")
    assert data["scenarios"][0]["attachments"][0]["sha256"] == PDF_SHA  # as signed


def test_the_csv_and_xlsx_exports_have_an_evidence_table(evidenced, contributor, celery_eager):
    with zipfile.ZipFile(export(evidenced, contributor, "csv").file.path) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("attachments.csv").decode("utf-8-sig"))))
    assert rows[0] == ["On", "Kind", "Name", "Type", "Size (bytes)", "SHA-256", "URL", "Added by", "Added at"]
    assert rows[1][:8] == ["H-001", "file", "pen-test.pdf", "pdf", str(len(files.PDF)), PDF_SHA, "", "alice"]
    assert rows[2][:7] == ["M-001", "link", "CI run 42", "", "", "", "https://ci.example.com/runs/42"]

    sheet = openpyxl.load_workbook(export(evidenced, contributor, "xlsx").file.path)["Evidence files"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[1][:6] == ["H-001", "file", "pen-test.pdf", "pdf", len(files.PDF), PDF_SHA]


def test_the_pdf_report_has_an_evidence_section(evidenced, contributor, celery_eager):
    reader = pypdf.PdfReader(export(evidenced, contributor, "pdf").file.path)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Evidence files and links" in text
    assert "pen-test.pdf" in text.replace(" ", "")
    assert PDF_SHA in text.replace(" ", "")
    assert "https://ci.example.com/runs/42" in text.replace(" ", "")


def test_include_files_makes_a_zip_of_the_json_and_the_files(evidenced, contributor, celery_eager):
    job = export(evidenced, contributor, "json", include_files=True)
    assert job.filename.endswith(".zip")
    with zipfile.ZipFile(job.file.path) as archive:
        assert sorted(archive.namelist()) == ["attachments/" + PDF_SHA + "/pen-test.pdf", "export.json"]
        data = json.loads(archive.read("export.json"))
        jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
        member = data["attachments"][0]["path"]
        assert hashlib.sha256(archive.read(member)).hexdigest() == PDF_SHA


def test_include_files_is_only_for_the_json_export(evidenced, contributor):
    with pytest.raises(InvalidInput) as refused:
        service.export_request(assessment_id=evidenced.pk, by=contributor, format="pdf", include_files=True)
    assert refused.value.errors == {"include_files": ["Evidence files can only be included in the JSON export."]}
    assert not ExportJob.objects.exists()


def test_the_api_takes_include_files_and_serves_the_zip(evidenced, contributor, celery_eager):
    client = APIClient()
    client.force_authenticate(contributor)
    created = client.post(
        "/api/v1/exports/", {"assessment": evidenced.pk, "format": "json", "include_files": True}, format="json"
    )
    assert created.status_code == 202, created.content
    assert created.json()["include_files"] is True
    job = ExportJob.objects.get()
    response = client.get(f"/api/v1/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()


def test_a_json_export_with_evidence_reimports_without_it(evidenced, project, contributor, celery_eager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessments.models import ImportJob
    from hazards.imports import service as imports
    from hazards.models import Attachment

    data = Path(export(evidenced, contributor, "json").file.path).read_bytes()
    job = imports.import_upload(
        project_id=project.pk,
        by=contributor,
        uploaded=SimpleUploadedFile("export.json", data, content_type="application/json"),
        new_title="Re-imported",
    )
    job = imports.import_preview(job_id=job.pk, by=contributor)
    assert job.report["ok"], job.report["errors"]
    job = imports.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.IMPORTED, job.report["errors"]
    assert job.assessment.scenarios.count() == evidenced.scenarios.count()
    assert not Attachment.objects.filter(assessment=job.assessment).exists()  # files are not imported
