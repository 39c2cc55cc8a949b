"""The exports API: request (202), status, download as an attachment, scoping, queue down (503), expiry."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from assessments.exports import service
from assessments.models import AuditEvent, ExportJob
from tests.factories import make_assessment


@pytest.fixture
def api(db):
    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return client_for


def test_requesting_an_export_answers_202_with_the_job_and_where_to_poll(api, register, contributor, celery_eager):
    response = api(contributor).post("/api/v1/exports/", {"assessment": register.pk, "format": "xlsx"}, format="json")
    assert response.status_code == 202
    job = ExportJob.objects.get()
    assert response["Location"] == f"/api/v1/exports/{job.pk}/"
    assert response.data["status"] == "done"  # the eager worker already built it
    assert response.data["download_url"] == f"/api/v1/exports/{job.pk}/download/"
    assert AuditEvent.objects.filter(action="export.requested", via="api").count() == 1


def test_the_status_shows_progress_and_the_download_serves_an_attachment(api, register, contributor, celery_eager):
    client = api(contributor)
    job_id = client.post("/api/v1/exports/", {"assessment": register.pk, "format": "pdf"}, format="json").data["id"]
    status = client.get(f"/api/v1/exports/{job_id}/")
    assert status.status_code == 200
    assert (status.data["status"], status.data["progress"]) == ("done", 100)
    download = client.get(f"/api/v1/exports/{job_id}/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith('attachment; filename="ide-assistant-rollout-rev1-')
    assert b"".join(download.streaming_content).startswith(b"%PDF-")


def test_an_outsider_gets_404_for_another_projects_assessment_and_exports(
    api, register, contributor, outsider, other_project, celery_eager
):
    client = api(outsider)
    response = client.post("/api/v1/exports/", {"assessment": register.pk, "format": "json"}, format="json")
    assert response.status_code == 404
    job = service.export_request(assessment_id=register.pk, by=contributor, format="json")
    assert client.get(f"/api/v1/exports/{job.pk}/").status_code == 404
    assert client.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404
    assert _rows(client.get("/api/v1/exports/")) == []


def test_an_unknown_format_is_a_400_naming_the_field(api, register, contributor):
    response = api(contributor).post("/api/v1/exports/", {"assessment": register.pk, "format": "docx"}, format="json")
    assert response.status_code == 400
    assert "format" in str(response.data)
    assert not ExportJob.objects.exists()


def test_anonymous_callers_cannot_export(register):
    response = APIClient().post("/api/v1/exports/", {"assessment": register.pk, "format": "json"}, format="json")
    assert response.status_code in (401, 403)
    assert not ExportJob.objects.exists()


def test_queue_down_answers_503_with_retry_after_and_the_job_it_will_run(api, register, contributor, broker_down):
    response = api(contributor).post("/api/v1/exports/", {"assessment": register.pk, "format": "csv"}, format="json")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.data["code"] == "queue_unavailable"
    assert "retry" in response.data["detail"]
    job = ExportJob.objects.get()
    assert response.data["job"]["id"] == job.pk and response.data["job"]["status"] == "queued"
    again = api(contributor).post("/api/v1/exports/", {"assessment": register.pk, "format": "csv"}, format="json")
    assert again.status_code == 503 and again.data["job"]["id"] == job.pk


def test_downloads_of_unfinished_or_expired_exports_say_why(api, register, contributor, celery_eager):
    client = api(contributor)
    queued = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    assert client.get(f"/api/v1/exports/{queued.pk}/download/").status_code == 409
    done = service.export_request(assessment_id=register.pk, by=contributor, format="json")
    ExportJob.objects.filter(pk=done.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(f"/api/v1/exports/{done.pk}/download/")
    assert response.status_code == 410
    assert client.get(f"/api/v1/exports/{done.pk}/").data["download_url"] is None


def test_the_export_list_can_be_filtered_by_assessment_with_constant_queries(
    api, project, register, contributor, django_assert_max_num_queries
):
    other = make_assessment(project, contributor, title="Other")
    client = api(contributor)
    for _ in range(2):
        ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    with django_assert_max_num_queries(6) as small:
        assert len(_rows(client.get(f"/api/v1/exports/?assessment={register.pk}"))) == 2
    for _ in range(10):
        ExportJob.objects.create(assessment=register, requested_by=contributor, format="csv")
        ExportJob.objects.create(assessment=other, requested_by=contributor, format="csv")
    with django_assert_max_num_queries(6) as large:
        assert len(_rows(client.get(f"/api/v1/exports/?assessment={register.pk}"))) == 12
    assert len(small.captured_queries) == len(large.captured_queries)


def _rows(response):
    assert response.status_code == 200
    return response.data["results"] if isinstance(response.data, dict) else response.data


def test_the_schema_documents_the_exports_endpoints(api, contributor):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {"/api/v1/exports/", "/api/v1/exports/{id}/", "/api/v1/exports/{id}/download/"} <= set(schema["paths"])
    create = schema["paths"]["/api/v1/exports/"]["post"]
    assert {"202", "503"} <= set(create["responses"])
