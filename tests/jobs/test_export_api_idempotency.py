"""Export requests honour Idempotency-Key like every other POST, without breaking the queue-down answer:
the job is published only after its row (and the key's record) committed, and a 503 leaves the key free."""

import datetime
import threading
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from assessments.exports import service
from assessments.models import AuditEvent, ExportJob, IdempotencyRecord
from assessments.rest import idempotency
from tests.jobs.processes import wait_for


def _post(client, assessment, key, fmt="json"):
    return client.post(
        "/api/v1/exports/",
        {"assessment": assessment.pk, "format": fmt},
        content_type="application/json",
        headers={"Idempotency-Key": key},
    )


@pytest.fixture
def signed_in(contributor):
    client = Client()
    client.force_login(contributor)
    return client


def test_a_retry_with_the_same_key_returns_the_first_answer_and_records_one_job(register, signed_in, celery_eager):
    first = _post(signed_in, register, "export-1")
    again = _post(signed_in, register, "export-1")
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"] == f"/api/v1/exports/{ExportJob.objects.get().pk}/"
    assert first.json()["status"] == "done"  # the eager worker built it before the answer was stored
    assert AuditEvent.objects.filter(action="export.requested").count() == 1


def test_with_the_queue_down_the_answer_is_503_with_the_job_and_the_key_stays_free(
    register, signed_in, contributor, broker_down
):
    response = _post(signed_in, register, "export-2")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response.json()["code"] == "queue_unavailable" and "retry" in response.json()["detail"]
    job = ExportJob.objects.get()
    assert (job.status, job.error) == ("queued", service.QUEUE_DOWN_NOTE)
    assert response.json()["job"]["id"] == job.pk
    # Nothing is stored under the key: the retry runs again (and reuses the job) instead of replaying.
    assert not IdempotencyRecord.objects.filter(key="export-2").exists()
    again = _post(signed_in, register, "export-2")
    assert again.status_code == 503 and not again.has_header("Idempotent-Replayed")
    assert again.json()["job"]["id"] == job.pk and ExportJob.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_job_is_published_only_once_its_row_is_visible_to_a_worker(register, signed_in, celery_eager, monkeypatch):
    from assessments.tasks import exports_run

    seen_by_worker = []
    publish = exports_run.delay

    def publish_and_look(job_id):
        # A worker reads the job on its own connection: a thread has one, as a worker process does.
        def look():
            seen_by_worker.append(ExportJob.objects.filter(pk=job_id).exists())
            connection.close()

        thread = threading.Thread(target=look)
        thread.start()
        thread.join(10)
        return publish(job_id)

    monkeypatch.setattr(exports_run, "delay", publish_and_look)
    assert _post(signed_in, register, "export-3").status_code == 202
    assert seen_by_worker == [True]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_after_a_503_the_same_key_queues_the_recorded_job_once_redis_is_back(
    register, signed_in, workers, redis_server
):
    workers(CELERY_VISIBILITY_TIMEOUT="60")
    redis_server.stop()
    assert _post(signed_in, register, "export-4").status_code == 503
    job = ExportJob.objects.get()

    redis_server.start()
    response = _post(signed_in, register, "export-4")
    assert response.status_code == 202 and response.json()["id"] == job.pk
    wait_for(lambda: ExportJob.objects.get(pk=job.pk).status == "done", timeout=90, what="the retried export to finish")
    job.refresh_from_db()
    assert job.error == "" and job.file
    replay = _post(signed_in, register, "export-4")
    assert replay.content == response.content and replay["Idempotent-Replayed"] == "true"
    assert ExportJob.objects.count() == 1


def _unfinished_record(user, key, assessment) -> IdempotencyRecord:
    """The record a request leaves between its commit and the answer of its after-commit step."""
    same_request = SimpleNamespace(
        method="POST", path="/api/v1/exports/", data={"assessment": assessment.pk, "format": "json"}
    )
    return IdempotencyRecord.objects.create(user=user, key=key, fingerprint=idempotency.fingerprint(same_request))


def test_a_retry_while_the_first_request_is_still_queueing_its_job_is_told_to_come_back(
    register, signed_in, contributor, celery_eager
):
    _unfinished_record(contributor, "export-5", register)

    response = _post(signed_in, register, "export-5")

    assert response.status_code == 409 and response.json()["code"] == "idempotency_key_in_progress"
    assert response["Retry-After"] == "2"
    assert not ExportJob.objects.exists()
    assert IdempotencyRecord.objects.filter(key="export-5").exists()  # the first request may still answer


def test_a_key_whose_request_died_before_answering_can_be_used_again_after_a_while(
    register, signed_in, contributor, celery_eager
):
    record = _unfinished_record(contributor, "export-6", register)
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=6))

    assert _post(signed_in, register, "export-6").status_code == 409  # and the abandoned record is dropped
    retry = _post(signed_in, register, "export-6")
    assert retry.status_code == 202 and ExportJob.objects.count() == 1
