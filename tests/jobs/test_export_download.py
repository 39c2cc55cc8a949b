"""The browser and the API serve an export's file through one function: the same checks, headers and reasons."""

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.exports import service
from assessments.models import ExportJob


def _both(client, job):
    return client.get(reverse("export_download", args=[job.pk])), client.get(f"/api/v1/exports/{job.pk}/download/")


def test_both_interfaces_serve_the_file_as_a_private_attachment(register, contributor, celery_eager):
    client = Client()
    client.force_login(contributor)
    job = service.export_request(assessment_id=register.pk, by=contributor, format="csv")
    for response in _both(client, job):
        assert response.status_code == 200
        assert (
            response["Content-Disposition"].startswith("attachment;")
            and job.filename in response["Content-Disposition"]
        )
        assert response["Content-Type"] == "application/zip"
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"PK")  # the zip of CSV tables
        response.close()


def test_both_interfaces_refuse_an_unfinished_or_expired_export_for_the_same_reason(
    register, contributor, celery_eager
):
    client = Client()
    client.force_login(contributor)
    queued = ExportJob.objects.create(assessment=register, requested_by=contributor, format="json")
    expired = service.export_request(assessment_id=register.pk, by=contributor, format="json")
    ExportJob.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    for job, status, code, reason in [
        (queued, 409, "not_ready", "This export is not ready yet."),
        (expired, 410, "expired", "This export has expired and its file was removed; request a new one."),
    ]:
        page, api = _both(client, job)
        assert (page.status_code, page.content.decode()) == (status, reason)
        assert (api.status_code, api.json()) == (status, {"detail": reason, "code": code})
