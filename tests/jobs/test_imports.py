"""Spreadsheet and JSON imports: mapping, preview, all-or-nothing writes, every class of error, round trip."""

import copy
import csv
import datetime
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.errors import InvalidInput
from assessments.exports import service as exports
from assessments.models import Assessment, AuditEvent, ImportJob
from hazards import services
from hazards.imports import mapping, service
from hazards.models import Consequence, HazardScenario, Mitigation
from tests.factories import make_hazard

HEADERS = [
    "Hazard",
    "Description",
    "Category",
    "Likelihood",
    "Severity",
    "Residual likelihood",
    "Residual severity",
    "Risk owner",
    "Consequence",
    "Controls",
    "Due date",
    "Jira",
    "Tracker",
    "Notes",
]
GOOD_ROWS = [
    [
        "Insecure code suggested",
        "The assistant suggests SQL built by string concatenation.",
        "Security",
        4,
        "Critical",
        2,
        3,
        "alice",
        "Injection in production\nData breach",
        "Static analysis gate",
        datetime.date(2026, 3, 31),
        "SEC-1",
        "jira",
        "seen in pilot",
    ],
    [
        "Over-reliance on suggestions",
        "",
        "over_reliance",
        "Probable",
        3,
        "Remote",
        3,
        "alice@example.com",
        "",
        "Static analysis gate\nDeveloper training",
        None,
        None,
        None,
        "",
    ],
    ["Licence-encumbered code", "", "Legal and IP", 2, 2, 1, 2, "", "", "", None, None, None, ""],
]


def xlsx_bytes(headers, rows, *, macro: bool = False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Risks"
    sheet.append(headers)
    sheet.append([None] * len(headers))  # a blank row between header and data is skipped
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if macro:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            for item in source.infolist():
                target.writestr(item, source.read(item.filename))
            target.writestr("xl/vbaProject.bin", b"\x00macro")
        data = out.getvalue()
    return data


def csv_bytes(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, datetime.date) else v for v in row])
    return buffer.getvalue().encode("utf-8")


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def start(project, user, name, data, **kwargs) -> ImportJob:
    return service.import_upload(project_id=project.pk, by=user, uploaded=upload(name, data), **kwargs)


def test_an_xlsx_register_is_mapped_previewed_and_imported_into_a_new_assessment(project, contributor):
    job = start(project, contributor, "register.xlsx", xlsx_bytes(HEADERS, GOOD_ROWS), new_title="Imported register")
    assert job.source == "xlsx"
    assert job.mapping["Hazard"] == "title"
    assert job.mapping["Risk owner"] == "owner"
    assert job.mapping["Controls"] == "mitigations"
    assert job.mapping["Notes"] == mapping.IGNORE
    assert (job.mapping["Jira"], job.mapping["Tracker"]) == ("ticket_key", "ticket_system")
    service.import_set_mapping(job_id=job.pk, by=contributor, mapping=job.mapping)
    job = service.import_preview(job_id=job.pk, by=contributor)
    assert job.report["ok"], job.report["errors"]
    assert [row["row"] for row in job.report["preview"]] == [3, 4, 5]
    # The preview wrote nothing.
    assert not Assessment.objects.filter(title="Imported register").exists()
    assert not HazardScenario.objects.exists()

    job = service.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.IMPORTED
    imported = job.assessment
    assert imported.title == "Imported register"
    scenarios = list(imported.scenarios.order_by("number"))
    assert [(s.ref, s.title) for s in scenarios] == [
        ("H-001", "Insecure code suggested"),
        ("H-002", "Over-reliance on suggestions"),
        ("H-003", "Licence-encumbered code"),
    ]
    first = scenarios[0]
    assert (first.category, first.inherent_likelihood, first.inherent_severity) == ("security", 4, 4)
    assert (first.residual_level, first.owner.username) == ("medium", "alice")
    assert sorted(first.consequences.values_list("description", flat=True)) == [
        "Data breach",
        "Injection in production",
    ]
    assert scenarios[1].owner.username == "alice"
    assert (scenarios[1].inherent_likelihood, scenarios[1].residual_likelihood) == (4, 2)
    gate = Mitigation.objects.get(assessment=imported, title="Static analysis gate")
    # The same control named in two rows is one mitigation addressing both scenarios.
    assert sorted(gate.scenarios.values_list("ref", flat=True)) == ["H-001", "H-002"]
    assert gate.due_date == datetime.date(2026, 3, 31)
    assert (gate.external_system, gate.external_key) == ("jira", "SEC-1")
    assert imported.mitigations.count() == 2
    assert AuditEvent.objects.filter(assessment=imported, action="hazard.created", via="web").count() == 3
    assert AuditEvent.objects.filter(assessment=imported, action="import.completed").count() == 1
    project.refresh_from_db()
    assert project.import_mapping["riskowner"] == "owner"
    assert project.import_mapping["notes"] == mapping.IGNORE


def test_a_csv_register_is_added_to_an_existing_draft(project, assessment, contributor):
    make_hazard(assessment, contributor, title="Already there")
    job = start(project, contributor, "register.csv", csv_bytes(HEADERS, GOOD_ROWS[:2]), assessment_id=assessment.pk)
    assert job.source == "csv"
    service.import_preview(job_id=job.pk, by=contributor)
    job = service.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.IMPORTED, job.report["errors"]
    assert list(assessment.scenarios.order_by("number").values_list("ref", "title")) == [
        ("H-001", "Already there"),
        ("H-002", "Insecure code suggested"),
        ("H-003", "Over-reliance on suggestions"),
    ]
    assert job.report["imported"] == 2


def test_any_invalid_row_imports_nothing_and_the_report_names_row_column_and_problem(project, contributor):
    bad = copy.deepcopy(GOOD_ROWS)
    bad[0][3] = "Huge"  # not a likelihood
    bad[1][7] = "mallory"  # not a member
    bad[2][0] = ""  # no title
    bad[2][10] = "next week"  # not a date
    bad.append(["Unknown area", "", "Astrology", 1, 1, 1, 1, "", "", "", None, None, None, ""])
    job = start(project, contributor, "register.xlsx", xlsx_bytes(HEADERS, [*GOOD_ROWS, *bad]), new_title="Bad")
    job = service.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.FAILED
    errors = {(e["row"], e["column"]): e["message"] for e in job.report["errors"]}
    assert errors[(6, "Likelihood")].startswith("“Huge” is not a likelihood on this matrix. Use 1 to 5")
    assert "mallory" in errors[(7, "Risk owner")] and "not a member" in errors[(7, "Risk owner")]
    assert errors[(8, "Hazard")] == "Every row needs a title."
    assert "next week" in errors[(8, "Due date")]
    assert "Astrology" in errors[(9, "Category")] and "Security" in errors[(9, "Category")]
    assert len(errors) == 5
    # All or nothing: the three good rows did not go in either.
    assert not Assessment.objects.filter(title="Bad").exists()
    assert not HazardScenario.objects.exists() and not Mitigation.objects.exists()


def test_a_rule_only_the_services_know_is_reported_on_its_row(project, contributor):
    rows = [
        ["First", "", "", 1, 1, 1, 1, "", "", "Gate A", None, "SEC-9", "jira"],
        ["Second", "", "", 1, 1, 1, 1, "", "", "Gate B", None, "SEC-9", "jira"],
    ]
    headers = [*HEADERS[:11], "Ticket", "System"]
    job = start(project, contributor, "r.csv", csv_bytes(headers, rows), new_title="Tickets")
    assert job.mapping["Ticket"] == "ticket_key" and job.mapping["System"] == "ticket_system"
    job = service.import_preview(job_id=job.pk, by=contributor)
    assert job.report["errors"] == [
        {"row": 3, "column": "Ticket", "message": "jira SEC-9 is already linked to M-001 in this assessment."}
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("register.xls", b"\xd0\xcf\x11\xe0old excel", "is not a file Hazlog can import"),
        ("register.xlsx", b"not a zip at all", "is not a valid .xlsx workbook"),
        ("register.csv", b"PK\x03\x04zip", "not a text file"),
        ("register.csv", b"", "The file is empty."),
        ("register.csv", b"\n\n , ,\n", "no header row"),
        ("export.json", b"{not json", "is not valid JSON"),
        ("export.json", b'{"schema": "other"}', "is not a Hazlog export"),
        ("export.json", b'{"schema": "hazlog.export/2"}', "cannot read"),
        ("register.csv", b"Hazard\x00\n", "binary data"),
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_a_clear_message(project, contributor, name, data, message):
    with pytest.raises(InvalidInput) as error:
        start(project, contributor, name, data, new_title="X")
    assert message in error.value.errors["file"][0]
    assert not ImportJob.objects.exists()


def test_uploads_over_the_size_limit_are_refused(project, contributor, settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(InvalidInput) as error:
        start(project, contributor, "r.csv", b"Hazard\n" + b"x" * 200, new_title="X")
    assert (
        "limited to 0.0 MiB" in error.value.errors["file"][0] or "uploads are limited" in error.value.errors["file"][0]
    )


def test_files_over_the_row_limit_are_refused_with_the_limit(project, contributor, settings):
    settings.HAZLOG_IMPORT_MAX_ROWS = 2
    with pytest.raises(InvalidInput) as error:
        start(project, contributor, "r.csv", csv_bytes(HEADERS, GOOD_ROWS), new_title="X")
    assert "more than 2 data rows" in error.value.errors["file"][0]


def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_not_opened(project, contributor, settings):
    settings.UPLOAD_MAX_BYTES = 20_000
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"A" * 1_000_000)
    with pytest.raises(InvalidInput) as error:
        start(project, contributor, "bomb.xlsx", buffer.getvalue(), new_title="X")
    assert "unpacks to far more data" in error.value.errors["file"][0]


def test_formulas_are_never_imported_and_macros_are_ignored(project, contributor):
    rows = [["Formula row", '=HYPERLINK("http://evil","click")', "", 1, 1, 1, 1, "", "", "", None, None, None, ""]]
    job = start(project, contributor, "m.xlsx", xlsx_bytes(HEADERS, rows, macro=True), new_title="Formulas")
    assert "The workbook contains macros; they were ignored." in job.report["warnings"]
    job = service.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.IMPORTED, job.report["errors"]
    scenario = job.assessment.scenarios.get()
    # openpyxl stores no computed value for a formula it wrote; only a value, never the formula, is read.
    assert scenario.description == ""


def test_the_project_remembers_the_mapping_including_ignored_columns(project, contributor):
    headers = ["Risk", "What", "Owner"]
    job = start(project, contributor, "a.csv", csv_bytes(headers, [["A", "desc", "alice"]]), new_title="A")
    assert job.mapping == {"Risk": "title", "What": mapping.IGNORE, "Owner": "owner"}
    service.import_set_mapping(
        job_id=job.pk, by=contributor, mapping={"Risk": "title", "What": "description", "Owner": ""}
    )
    again = start(
        project, contributor, "b.csv", csv_bytes(["risk", "WHAT", "owner"], [["B", "d", "bob"]]), new_title="B"
    )
    assert again.mapping == {"risk": "title", "WHAT": "description", "owner": mapping.IGNORE}


def test_a_mapping_needs_a_title_column_and_one_column_per_field(project, contributor):
    job = start(project, contributor, "a.csv", csv_bytes(["A", "B"], [["x", "y"]]), new_title="A")
    with pytest.raises(InvalidInput) as error:
        service.import_set_mapping(job_id=job.pk, by=contributor, mapping={"A": "owner", "B": "owner"})
    assert error.value.errors["mapping"] == [
        "Owner is chosen for several columns: A, B.",
        "Choose the column that holds the title.",
    ]


def test_viewers_cannot_import_and_others_cannot_continue_someone_elses_import(project, contributor, viewer, owner):
    with pytest.raises(PermissionDenied):
        start(project, viewer, "a.csv", csv_bytes(HEADERS, GOOD_ROWS), new_title="A")
    job = start(project, contributor, "a.csv", csv_bytes(HEADERS, GOOD_ROWS), new_title="A")
    with pytest.raises(PermissionDenied):
        service.import_apply(job_id=job.pk, by=owner)


def test_a_frozen_assessment_cannot_receive_rows(project, contributor, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status="approved")
    with pytest.raises(InvalidInput) as error:
        start(project, contributor, "a.csv", csv_bytes(HEADERS, GOOD_ROWS), assessment_id=assessment.pk)
    assert "approved" in error.value.errors["assessment"][0]


def _comparable(document: dict) -> dict:
    """An export without what belongs to one revision rather than to its content."""
    doc = copy.deepcopy(document)
    for key in ("exported_at", "source", "content_hash", "approvals"):
        doc.pop(key)
    for key in ("lineage", "revision", "title", "status", "submitted_by", "submitted_at", "approved_at"):
        doc["assessment"].pop(key)
    for scenario in doc["scenarios"]:
        scenario.pop("acceptances")
    return doc


def _export_json(assessment, user) -> dict:
    job = exports.export_request(assessment_id=assessment.pk, by=user, format="json")
    job.refresh_from_db()
    return json.loads(Path(job.file.path).read_text())


def test_a_json_export_reimports_into_a_new_assessment_without_loss(
    approved, project, contributor, approver, celery_eager, catalogue
):
    from assessments.services import workflow

    source = workflow.assessment_start_revision(assessment_id=approved.pk, by=contributor)
    # Gaps in the refs, an unrated severity with a consequence, a catalogue template: all survive.
    services.hazards_from_templates(assessment_id=source.pk, template_keys=["SEC-01"], by=contributor)
    services.hazard_delete(hazard_id=source.scenarios.get(ref="H-002").pk, by=contributor, expected_version=None)
    unrated = make_hazard(source, contributor, title="Unrated", inherent_severity=None, owner=approver)
    services.consequence_create(
        hazard_id=unrated.pk, by=contributor, description="c", harm_type="legal", affected_party="society", severity=2
    )
    services.hazard_update(hazard_id=unrated.pk, by=contributor, expected_version=None, inherent_severity=None)
    first = _export_json(source, contributor)
    job = start(project, contributor, "export.json", json.dumps(first).encode(), new_title="")
    assert job.source == "json"
    job = service.import_preview(job_id=job.pk, by=contributor)
    assert job.report["ok"], job.report["errors"]
    assert any("risk acceptance" in w for w in job.report["warnings"])
    job = service.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.IMPORTED, job.report["errors"]
    assert job.assessment.title == first["assessment"]["title"]
    assert job.assessment.revision == 1 and job.assessment.status == "draft"
    second = _export_json(job.assessment, contributor)
    assert [s["ref"] for s in first["scenarios"]] == ["H-001", "H-003", "H-004", "H-005"]
    assert first["scenarios"][2]["template"] == "SEC-01"
    assert first["scenarios"][3]["inherent"]["severity"] is None
    assert _comparable(second) == _comparable(first)
    assert Consequence.objects.filter(scenario__assessment=job.assessment).count() == sum(
        len(s["consequences"]) for s in first["scenarios"]
    )


def test_a_json_import_reports_owners_who_are_not_members_of_the_target_project(
    register, contributor, other_project, outsider, celery_eager
):
    document = _export_json(register, contributor)
    job = start(other_project, outsider, "export.json", json.dumps(document).encode())
    job = service.import_apply(job_id=job.pk, by=outsider)
    assert job.status == ImportJob.State.FAILED
    assert {"row": "H-001", "column": "owner", "message": "alice is not a member of this project."} in job.report[
        "errors"
    ]
    assert not other_project.assessments.exists()


def test_a_control_already_in_the_draft_is_linked_not_duplicated_and_audited(project, assessment, contributor):
    existing_hazard = make_hazard(assessment, contributor, title="Already there")
    gate = services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Static analysis gate",
        kind="technical_control",
        hazard_ids=[existing_hazard.pk],
    )
    job = start(project, contributor, "r.csv", csv_bytes(HEADERS, GOOD_ROWS[:2]), assessment_id=assessment.pk)
    job = service.import_apply(job_id=job.pk, by=contributor)
    assert job.status == ImportJob.State.IMPORTED, job.report["errors"]
    gate.refresh_from_db()
    assert sorted(gate.scenarios.values_list("ref", flat=True)) == ["H-001", "H-002", "H-003"]
    assert gate.version == 2
    assert assessment.mitigations.filter(title="Static analysis gate").count() == 1
    update = AuditEvent.objects.get(action="mitigation.updated", object_id=gate.pk)
    assert update.changes == {"scenarios": [["H-001"], ["H-001", "H-002", "H-003"]]}
    training = assessment.mitigations.get(title="Developer training")
    created = AuditEvent.objects.get(action="mitigation.created", object_id=training.pk)
    assert created.changes["scenarios"] == [None, ["H-003"]]


def test_an_import_makes_the_same_number_of_queries_for_more_rows(project, contributor, django_assert_max_num_queries):
    def rows(n):
        return [
            [
                f"Scenario {i}",
                "",
                "Security",
                2,
                3,
                1,
                2,
                "alice",
                "Harm A\nHarm B",
                f"Control {i}",
                None,
                None,
                None,
                "",
            ]
            for i in range(n)
        ]

    small = start(project, contributor, "s.csv", csv_bytes(HEADERS, rows(3)), new_title="Small")
    large = start(project, contributor, "l.csv", csv_bytes(HEADERS, rows(30)), new_title="Large")
    with django_assert_max_num_queries(40) as few:
        assert service.import_apply(job_id=small.pk, by=contributor).status == ImportJob.State.IMPORTED
    with django_assert_max_num_queries(40) as many:
        assert service.import_apply(job_id=large.pk, by=contributor).status == ImportJob.State.IMPORTED
    assert len(few.captured_queries) == len(many.captured_queries)
    assert Consequence.objects.filter(scenario__assessment__title="Large").count() == 60
