"""Each export format read back: PDF text, XLSX cells, CSV rows and the JSON document against its schema."""

import csv
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import openpyxl
import pypdf
import pytest

from assessments.exports import service
from assessments.models import ExportJob
from hazards.models import HazardScenario

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "docs" / "export-schema.json").read_text())


def export(assessment, user, fmt) -> ExportJob:
    job = service.export_request(assessment_id=assessment.pk, by=user, format=fmt)
    job.refresh_from_db()
    assert job.status == ExportJob.State.DONE, job.error
    return job


def pdf_text(job) -> str:
    """The PDF's text with whitespace folded, so words wrapped inside table cells still match."""
    reader = pypdf.PdfReader(job.file.path)
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_pdf_has_cover_context_heat_maps_register_mitigations_acceptances_and_signoff(
    approved, contributor, celery_eager
):
    job = export(approved, contributor, "pdf")
    text = pdf_text(job)
    assert text.count("IDE assistant rollout") >= 1
    assert "Coding assistant rollout".upper() in text or "Coding assistant rollout" in text
    for expected in [
        "Revision",
        "Approved",
        "Context of the model assessed",
        "CodeGen-X",
        "Inherent risk",
        "Residual risk",
        "H-001",
        "Scenario 3: insecure code suggested",
        "Data breach through injected code (2)",
        "Static analysis gate on suggestions",
        "jira SEC-101",
        "Residual risk is tolerable with the gate in place.",
        "Sign-off",
        "carol",
        "Looks complete.",
    ]:
        assert expected in text, expected
    # The sign-off page names the hash of the snapshot that was approved.
    assert approved.approved_snapshot.sha256 in text.replace(" ", "")
    assert job.content_hash == approved.approved_snapshot.sha256
    assert job.filename.endswith(".pdf") and job.filename.startswith("ide-assistant-rollout-rev1-")


def test_xlsx_has_one_sheet_per_table_with_frozen_headers_filters_and_level_colours(
    approved, contributor, celery_eager
):
    job = export(approved, contributor, "xlsx")
    workbook = openpyxl.load_workbook(job.file.path)
    assert workbook.sheetnames == [
        "Assessment",
        "Register",
        "Consequences",
        "Mitigations",
        "Acceptances",
        "Sign-off",
        "Matrix",
    ]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
    register = workbook["Register"]
    rows = list(register.iter_rows(values_only=True))
    assert rows[0][:3] == ("Ref", "Title", "Category")
    assert [r[0] for r in rows[1:]] == ["H-001", "H-002", "H-003"]
    # A cell that looks like a formula stays text.
    assert register["B2"].value == '=HYPERLINK("http://evil") injected'
    assert register["B2"].data_type == "s"
    assert register["I2"].value == "Serious"
    assert register["I2"].fill.fgColor.rgb == "FFEF8A3C"
    assert register["L2"].value == "Medium"
    assert register["L2"].fill.fgColor.rgb == "FFF2C94C"
    mitigations = list(workbook["Mitigations"].iter_rows(values_only=True))
    assert mitigations[1][:2] == ("M-001", "Static analysis gate on suggestions")
    assert mitigations[1][9:11] == ("jira", "SEC-101")
    assert list(workbook["Sign-off"].iter_rows(values_only=True))[1][0] == "carol"
    assert list(workbook["Acceptances"].iter_rows(values_only=True))[1][:2] == ("H-001", "carol")


def test_csv_zip_holds_register_consequences_and_mitigations_with_formula_cells_neutralised(
    approved, contributor, celery_eager
):
    job = export(approved, contributor, "csv")
    assert job.filename.endswith(".zip")
    with zipfile.ZipFile(job.file.path) as archive:
        assert sorted(archive.namelist()) == ["consequences.csv", "mitigations.csv", "register.csv"]
        tables = {
            name: list(csv.reader(io.TextIOWrapper(archive.open(name), encoding="utf-8-sig")))
            for name in archive.namelist()
        }
    register = tables["register.csv"]
    assert register[0][:2] == ["Ref", "Title"]
    assert [row[0] for row in register[1:]] == ["H-001", "H-002", "H-003"]
    assert register[1][1] == '\'=HYPERLINK("http://evil") injected'
    assert register[1][3] == "Generated code for task 1 contains a vulnerability.\nSecond line."
    assert register[2][14] == "M-001"
    assert len(tables["consequences.csv"]) == 1 + 3
    assert tables["mitigations.csv"][1][:2] == ["M-001", "Static analysis gate on suggestions"]
    assert tables["mitigations.csv"][1][6] == "alice"


def test_json_export_is_valid_against_the_published_schema(approved, contributor, celery_eager):
    job = export(approved, contributor, "json")
    data = json.loads(Path(job.file.path).read_text())
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["schema"] == "hazlog.export/1"
    assert data["source"] == "snapshot"
    assert data["content_hash"] == approved.approved_snapshot.sha256
    assert [s["ref"] for s in data["scenarios"]] == ["H-001", "H-002", "H-003"]
    assert data["mitigations"][0]["external"]["key"] == "SEC-101"
    assert data["mitigations"][0]["status"] == "in_progress"
    assert data["approvals"][0]["approver"] == "carol"


def test_json_export_of_a_draft_is_valid_too_and_says_it_is_live(register, contributor, celery_eager):
    job = export(register, contributor, "json")
    data = json.loads(Path(job.file.path).read_text())
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["source"] == "live"
    assert data["approvals"] == []
    assert data["assessment"]["status"] == "draft"


def test_export_of_an_approved_revision_shows_what_was_signed_not_the_live_rows(approved, contributor, celery_eager):
    # No service can change frozen content; a direct write stands in for any other path.
    HazardScenario.objects.filter(assessment=approved, ref="H-002").update(title="Changed after sign-off")
    text = pdf_text(export(approved, contributor, "pdf"))
    assert "Scenario 2: insecure code suggested" in text
    assert "Changed after sign-off" not in text
    data = json.loads(Path(export(approved, contributor, "json").file.path).read_text())
    assert data["scenarios"][1]["title"] == "Scenario 2: insecure code suggested"


def test_draft_pdf_says_it_is_not_signed(register, contributor, celery_eager):
    text = pdf_text(export(register, contributor, "pdf"))
    assert "Not signed" in text
    assert "No approvals have been given to this content." in text


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "csv", "json"])
def test_an_empty_assessment_exports_in_every_format(assessment, contributor, celery_eager, fmt):
    job = export(assessment, contributor, fmt)
    assert Path(job.file.path).stat().st_size > 0


def test_a_long_register_is_laid_out_in_parts_whose_page_numbers_carry_on(
    register, contributor, celery_eager, monkeypatch
):
    from assessments.exports import to_pdf

    monkeypatch.setattr(to_pdf, "SCENARIOS_PER_PART", 1)
    monkeypatch.setattr(to_pdf, "MITIGATIONS_PER_PART", 1)
    job = export(register, contributor, "pdf")
    reader = pypdf.PdfReader(job.file.path)
    # Front matter (2 pages), one part per scenario and per mitigation, then acceptances and sign-off.
    assert len(reader.pages) == 2 + 3 + 2 + 2
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Page 1" in pages[0] and "revision 1" not in pages[0]  # the cover has no running title
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number}" in text
        assert "Coding assistant rollout · IDE assistant rollout · revision 1" in text
    assert "Scenario 3: insecure code suggested" in pages[4]
    assert "M-002" in pages[6]
    assert reader.metadata.title == "IDE assistant rollout — revision 1"


def test_titles_and_colours_cannot_inject_styles_into_the_report(assessment, contributor, celery_eager):
    from assessments.exports import document, to_pdf
    from assessments.models import Assessment

    matrix = assessment.matrix
    matrix["levels"][0]["colour"] = "red; } body { display: none } .x { color: url(http://attacker.example/)"
    Assessment.objects.filter(pk=assessment.pk).update(
        matrix=matrix, title='Quote " backslash \\ and </style><script>x</script>'
    )
    assessment.refresh_from_db()
    context = to_pdf.context(document.build(assessment))
    assert context["levels"][0]["colour"] == "#cccccc"
    assert "<" not in context["running_title"] and '\\"' not in context["running_title"][1:-1]
    text = pdf_text(export(assessment, contributor, "pdf"))
    assert 'Quote " backslash \\ and </style><script>x</script>' in text
