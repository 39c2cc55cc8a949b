"""Browser pages of exports, imports and reminders: panel and polling, downloads, the wizard, profile."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone

from assessments.exports import service
from assessments.models import ExportJob, ImportJob, Profile, ReminderDigest
from hazards.imports import service as import_service
from hazards.imports import values as import_values
from tests.jobs.test_imports import GOOD_ROWS, HEADERS, csv_bytes

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def test_the_assessment_page_loads_the_export_panel(client_for, register, viewer):
    page = client_for(viewer).get(f"/assessments/{register.pk}/")
    assert page.status_code == 200
    assert f'hx-get="/assessments/{register.pk}/exports/"' in page.content.decode()


def test_the_export_panel_is_a_page_without_javascript_and_a_fragment_for_htmx(client_for, register, viewer):
    client = client_for(viewer)
    page = client.get(f"/assessments/{register.pk}/exports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<html" in html and 'name="format" value="pdf"' in html and "No exports yet." in html
    fragment = client.get(f"/assessments/{register.pk}/exports/", **HTMX)
    assert "<html" not in fragment.content.decode()
    assert fragment.content.decode().lstrip().startswith('<section class="card" id="exports"')
    assert fragment["Vary"] == "HX-Request, Cookie" or "HX-Request" in fragment["Vary"]


def test_outsiders_get_404_for_the_panel_the_job_and_the_file(
    client_for, register, contributor, outsider, celery_eager
):
    job = service.export_request(assessment_id=register.pk, by=contributor, format="json")
    client = client_for(outsider)
    assert client.get(f"/assessments/{register.pk}/exports/").status_code == 404
    assert client.post(f"/assessments/{register.pk}/exports/new/", {"format": "pdf"}).status_code == 404
    assert client.get(f"/exports/{job.pk}/", **HTMX).status_code == 404
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404
    assert ExportJob.objects.count() == 1


def test_requesting_an_export_without_javascript_redirects_back_to_the_panel(
    client_for, register, viewer, celery_eager
):
    response = client_for(viewer).post(f"/assessments/{register.pk}/exports/new/", {"format": "csv"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/assessments/{register.pk}/exports/"
    html = response.content.decode()
    assert "Export requested" in html
    job = ExportJob.objects.get()
    assert f'href="/exports/{job.pk}/download/"' in html


def test_a_running_export_row_polls_itself_until_it_is_done(client_for, register, contributor):
    job = ExportJob.objects.create(assessment=register, requested_by=contributor, format="pdf")
    ExportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    client = client_for(contributor)
    row = client.get(f"/exports/{job.pk}/", **HTMX).content.decode()
    assert 'hx-trigger="every 1s"' in row
    assert '<progress max="100" value="40"' in row
    ExportJob.objects.filter(pk=job.pk).update(status="failed", error="The export took too long and was stopped.")
    row = client.get(f"/exports/{job.pk}/", **HTMX).content.decode()
    assert "hx-trigger" not in row
    assert "Failed" in row and "took too long" in row


def test_the_download_is_an_attachment_never_shown_inline(client_for, register, viewer, celery_eager):
    job = service.export_request(assessment_id=register.pk, by=viewer, format="json")
    job.refresh_from_db()
    response = client_for(viewer).get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="{job.filename}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"{")


def test_an_expired_export_says_so_instead_of_serving_a_file(client_for, register, viewer, celery_eager):
    job = service.export_request(assessment_id=register.pk, by=viewer, format="json")
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client = client_for(viewer)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 410
    assert "Expired" in client.get(f"/assessments/{register.pk}/exports/").content.decode()


def test_with_the_queue_down_the_panel_loads_and_the_request_says_to_retry(client_for, register, viewer, broker_down):
    client = client_for(viewer)
    assert client.get(f"/assessments/{register.pk}/exports/").status_code == 200
    response = client.post(f"/assessments/{register.pk}/exports/new/", {"format": "pdf"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "could not be queued" in html and "retry" in html
    assert "Waiting for the queue" in html
    assert ExportJob.objects.get().status == "queued"


def test_the_export_panel_makes_the_same_number_of_queries_for_more_jobs(
    client_for, register, contributor, django_assert_max_num_queries
):
    client = client_for(contributor)
    ExportJob.objects.create(assessment=register, requested_by=contributor, format="pdf")
    with django_assert_max_num_queries(12) as small:
        client.get(f"/assessments/{register.pk}/exports/", **HTMX)
    for fmt in ["xlsx", "csv", "json", "pdf", "csv", "json", "xlsx"]:
        ExportJob.objects.create(assessment=register, requested_by=contributor, format=fmt)
    with django_assert_max_num_queries(12) as large:
        client.get(f"/assessments/{register.pk}/exports/", **HTMX)
    assert len(small.captured_queries) == len(large.captured_queries)


def _file(name: str, data: bytes):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def values_as_proposed(job) -> dict[str, str]:
    """The values form of an import posted as the page proposes it."""
    job.refresh_from_db()
    listed = import_service.value_choices(job)
    return {
        f"{group}__{index}": import_values.as_form_value(value)
        for group, group_values in listed.items()
        for index, value in enumerate(group_values)
    }


def test_the_import_wizard_goes_from_upload_to_mapping_to_preview_to_import(client_for, project, contributor):
    client = client_for(contributor)
    assert "Import a register" in client.get(f"/projects/{project.pk}/").content.decode()
    start = client.get(f"/projects/{project.pk}/import/")
    assert start.status_code == 200 and 'enctype="multipart/form-data"' in start.content.decode()
    upload = client.post(
        f"/projects/{project.pk}/import/",
        {"file": _file("register.csv", csv_bytes(HEADERS, GOOD_ROWS)), "new_title": "From the spreadsheet"},
    )
    job = ImportJob.objects.get()
    assert upload.status_code == 302 and upload["Location"] == f"/imports/{job.pk}/mapping/"
    mapping_page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert "Risk owner" in mapping_page and "alice" in mapping_page  # headers and their first values
    choices = {f"column_{i}": job.mapping.get(header, "") for i, header in enumerate(HEADERS)}
    values_page = client.post(f"/imports/{job.pk}/mapping/", choices, follow=True)
    assert values_page.redirect_chain[-1][0] == f"/imports/{job.pk}/values/"
    assert "Critical" in values_page.content.decode()  # each value of a rating column, once
    preview = client.post(f"/imports/{job.pk}/values/", values_as_proposed(job), follow=True)
    html = preview.content.decode()
    assert "Every row can be imported." in html
    assert "Insecure code suggested" in html
    done = client.post(f"/imports/{job.pk}/apply/", follow=True)
    job.refresh_from_db()
    assert job.status == "imported"
    assert done.redirect_chain[-1][0] == f"/assessments/{job.assessment_id}/"
    assert "Imported 3 rows" in done.content.decode()


def test_the_wizard_shows_problems_by_row_and_column_and_imports_nothing(client_for, project, contributor):
    client = client_for(contributor)
    rows = [[*GOOD_ROWS[0][:3], "Huge", *GOOD_ROWS[0][4:]]]
    client.post(f"/projects/{project.pk}/import/", {"file": _file("r.csv", csv_bytes(HEADERS, rows)), "new_title": "X"})
    job = ImportJob.objects.get()
    choices = {f"column_{i}": job.mapping.get(header, "") for i, header in enumerate(HEADERS)}
    values_page = client.post(f"/imports/{job.pk}/mapping/", choices, follow=True).content.decode()
    assert "1 value is not mapped yet" in values_page and "Huge" in values_page
    html = client.post(f"/imports/{job.pk}/values/", values_as_proposed(job), follow=True).content.decode()
    assert "1 problem" in html and "Likelihood" in html and "“Huge” is not a likelihood" in html
    assert "Import 1 row" not in html
    client.post(f"/imports/{job.pk}/apply/")
    job.refresh_from_db()
    assert job.status == "failed" and not project.assessments.filter(title="X").exists()


def test_an_unreadable_upload_is_explained_on_the_form(client_for, project, contributor):
    response = client_for(contributor).post(
        f"/projects/{project.pk}/import/", {"file": _file("register.xls", b"\xd0\xcf old"), "new_title": "X"}
    )
    assert response.status_code == 200
    assert "is not a file Hazlog can import" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_viewers_cannot_open_the_import_wizard_and_others_cannot_see_an_import(
    client_for, project, contributor, viewer, outsider
):
    assert client_for(viewer).get(f"/projects/{project.pk}/import/").status_code == 403
    assert client_for(outsider).get(f"/projects/{project.pk}/import/").status_code == 404
    client_for(contributor).post(
        f"/projects/{project.pk}/import/", {"file": _file("r.csv", csv_bytes(HEADERS, GOOD_ROWS)), "new_title": "X"}
    )
    job = ImportJob.objects.get()
    assert client_for(viewer).get(f"/imports/{job.pk}/").status_code == 404
    assert client_for(outsider).post(f"/imports/{job.pk}/apply/").status_code == 404
    for path in (f"/imports/{job.pk}/values/", f"/imports/{job.pk}/mapping/"):
        assert client_for(outsider).get(path).status_code == 404
        assert client_for(outsider).post(path, {"header_row": "1"}).status_code == 404
        assert client_for(viewer).get(path).status_code == 404


def test_the_values_page_lists_each_value_once_escaped_and_uses_the_choices_made(client_for, project, contributor):
    client = client_for(contributor)
    body = [
        ["Register export", "", ""],
        ["Title", "Likelihood", "Treatment"],
        ["A", "<b>Sev</b>", "open"],
        ["B", "<b>Sev</b>", "réduire"],
        ["C", "Low", "--"],
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(body)
    client.post(
        f"/projects/{project.pk}/import/", {"file": _file("r.csv", buffer.getvalue().encode()), "new_title": "X"}
    )
    job = ImportJob.objects.get()
    mapping_page = client.get(f"/imports/{job.pk}/mapping/").content.decode()
    assert "Hazlog took row 2 as the row that names the columns" in mapping_page
    choices = {f"column_{i}": job.mapping.get(header, "") for i, header in enumerate(job.report["headers"])}
    page = client.post(f"/imports/{job.pk}/mapping/", choices, follow=True).content.decode()
    assert "&lt;b&gt;Sev&lt;/b&gt;" in page and "<b>Sev</b>" not in page
    assert page.count("&lt;b&gt;Sev&lt;/b&gt;") == 1  # two rows, one entry
    assert "not decided yet" in page and "no match: choose a level" in page
    form = values_as_proposed(job)
    unmapped = next(name for name, value in form.items() if name.startswith("likelihood") and value == "")
    form[unmapped] = "5"
    preview = client.post(f"/imports/{job.pk}/values/", form, follow=True).content.decode()
    assert "Every row can be imported." in preview
    assert "5 · Frequent" in preview and "Mitigate" in preview
    # A value that is not one of the page's choices is refused with the form, and changes nothing.
    form[unmapped] = "9"
    refused = client.post(f"/imports/{job.pk}/values/", form)
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    # Choosing another header row reads the file again.
    client.post(f"/imports/{job.pk}/mapping/", {"header_row": "1"})
    job.refresh_from_db()
    assert job.report["headers"] == ["Register export", "", ""]


def test_the_profile_page_turns_digest_emails_off_and_on(client_for, contributor):
    client = client_for(contributor)
    page = client.get("/profile/").content.decode()
    assert 'id="id_email_digests" checked' in page
    assert 'href="/profile/"' in page  # linked from the account menu
    response = client.post("/profile/", {}, follow=True)
    assert "Digest e-mails are off" in response.content.decode()
    assert Profile.objects.get(user=contributor).email_digests is False
    client.post("/profile/", {"email_digests": "on"})
    assert Profile.objects.get(user=contributor).email_digests is True


def test_a_digest_page_shows_your_own_items_only(client_for, contributor, reviewer):
    today = timezone.localdate()
    ReminderDigest.objects.create(
        user=contributor,
        date=today,
        items=[
            {
                "kind": "mitigation_due",
                "text": "M-001 Gate is overdue by 2 days.",
                "url": "/assessments/1/#M-001",
                "project": "P",
            }
        ],
    )
    page = client_for(contributor).get(f"/reminders/{today.isoformat()}/")
    assert page.status_code == 200
    assert "M-001 Gate is overdue by 2 days." in page.content.decode()
    assert client_for(reviewer).get(f"/reminders/{today.isoformat()}/").status_code == 404
    assert client_for(contributor).get("/reminders/not-a-date/").status_code == 404
