"""Failure behaviour with a real Celery worker and a real (private) Redis: killed workers, Redis down,
mail server down. Each test starts its own redis-server and worker processes and stops them after."""

import datetime
import os
import signal
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller
from django.test import Client
from django.utils import timezone

from assessments.errors import QueueUnavailable
from assessments.exports import service
from assessments.models import ExportJob, ReminderDigest
from assessments.reminders import digests
from hazards import services
from tests.jobs.conftest import fill_register
from tests.jobs.processes import free_port, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_register(project, assessment, contributor, approver):
    fill_register(assessment, contributor, approver, scenarios=12)
    return assessment


def job_state(job_id: int) -> tuple[str, int, int]:
    return ExportJob.objects.values_list("status", "progress", "attempts").get(pk=job_id)


def test_an_export_whose_whole_worker_is_killed_is_delivered_again_and_completes(big_register, contributor, workers):
    first = workers(HAZLOG_TEST_PROGRESS_DELAY="1.5", CELERY_VISIBILITY_TIMEOUT="4")
    job = service.export_request(assessment_id=big_register.pk, by=contributor, format="pdf")
    wait_for(
        lambda: job_state(job.pk)[0] == "running" and job_state(job.pk)[1] >= 10,
        timeout=60,
        what="the export to be running",
    )
    first.kill()
    status, progress, attempts = job_state(job.pk)
    assert (status, attempts) == ("running", 1) and progress < 100
    # A new worker gets the unacknowledged message back once the visibility timeout has passed.
    second = workers(HAZLOG_TEST_PROGRESS_DELAY="0.2", CELERY_VISIBILITY_TIMEOUT="4")
    wait_for(lambda: job_state(job.pk)[0] == "done", timeout=120, what="the re-delivered export to finish")
    job.refresh_from_db()
    assert job.attempts == 2
    assert job.progress == 100
    files = os.listdir(os.path.join(job.file.storage.location, "exports", str(job.pk)))
    assert files == [job.filename]
    with job.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert "exports_run" in second.logs()


def test_an_export_whose_pool_process_is_killed_is_run_again_at_once(big_register, contributor, workers):
    worker = workers(HAZLOG_TEST_PROGRESS_DELAY="1.5", CELERY_VISIBILITY_TIMEOUT="3600")
    job = service.export_request(assessment_id=big_register.pk, by=contributor, format="pdf")
    wait_for(
        lambda: job_state(job.pk)[0] == "running" and job_state(job.pk)[1] >= 10,
        timeout=60,
        what="the export to be running",
    )
    children = worker.pool_children()
    assert len(children) == 1
    os.kill(children[0], signal.SIGKILL)  # what the kernel's OOM killer does to a PDF worker
    # reject_on_worker_lost: the main process puts the message back without waiting for any timeout.
    wait_for(lambda: job_state(job.pk)[0] == "done", timeout=120, what="the export to be run again")
    assert job_state(job.pk)[2] == 2
    assert "WorkerLostError" in worker.logs() or "Worker exited prematurely" in worker.logs()


def test_with_redis_down_pages_load_requests_say_retry_and_the_sweep_queues_the_job_once_it_is_back(
    register, contributor, workers, redis_server
):
    workers(CELERY_VISIBILITY_TIMEOUT="60")
    redis_server.stop()
    client = Client()
    client.force_login(contributor)
    # The API answers, and says the export could not be queued (not a 500, no job in a misleading state).
    listing = client.get("/api/v1/exports/")
    assert listing.status_code == 200
    response = client.post(
        "/api/v1/exports/", {"assessment": register.pk, "format": "json"}, content_type="application/json"
    )
    assert response.status_code == 503
    assert "retry" in response.json()["detail"]
    job = ExportJob.objects.get()
    assert (job.status, job.error) == ("queued", service.QUEUE_DOWN_NOTE)
    with pytest.raises(QueueUnavailable):
        service.export_request(assessment_id=register.pk, by=contributor, format="json")
    assert service.export_requeue_stuck() == 0  # still down: the job waits, nothing is lost
    assert ExportJob.objects.count() == 1
    # Redis comes back (empty); the worker reconnects by itself and the sweep queues the waiting job.
    redis_server.start()
    assert service.export_requeue_stuck() == 1
    wait_for(lambda: job_state(job.pk)[0] == "done", timeout=90, what="the re-queued export to finish")
    job.refresh_from_db()
    assert job.error == "" and job.file


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def test_with_the_mail_server_down_reminders_are_retried_and_not_marked_sent(assessment, contributor, workers):
    port = free_port()
    worker = workers(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_TIMEOUT="2",
        EMAIL_RETRY_SECONDS="1",
    )
    services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="Overdue control",
        kind="technical_control",
        owner=contributor,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    counts = digests.digests_create()
    assert counts["emails_queued"] == 1
    digest = ReminderDigest.objects.get()
    wait_for(lambda: worker.logs().count("Retry in") >= 2, timeout=60, what="the e-mail task to retry twice")
    digest.refresh_from_db()
    assert digest.emailed_at is None
    inbox = _Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        wait_for(
            lambda: ReminderDigest.objects.filter(pk=digest.pk, emailed_at__isnull=False).exists(),
            timeout=90,
            what="the digest e-mail to go out once the mail server is back",
        )
    finally:
        smtp.stop()
    assert len(inbox.messages) == 1
    recipients, message = inbox.messages[0]
    assert recipients == ["alice@example.com"]
    assert message["Subject"].startswith("[Hazlog] Your reminders for")
