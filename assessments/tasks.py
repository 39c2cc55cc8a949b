"""Celery tasks of the assessments app: thin, id-based, safe to run twice."""

import smtplib

from celery import shared_task
from django.conf import settings

from assessments.exports import service as exports
from assessments.models import ExportJob
from assessments.reminders import digests
from assessments.services import notifications

# A PDF of the largest register allowed takes a few minutes; past the soft limit the job is failed
# cleanly, past the hard limit the worker process is replaced. Both stay well under the broker's
# visibility timeout (CELERY_VISIBILITY_TIMEOUT), or a long export would be delivered twice.
EXPORT_SOFT_TIME_LIMIT = 10 * 60
EXPORT_TIME_LIMIT = 11 * 60


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def notifications_email(cause: str | None = None) -> int:
    """E-mail the notifications of one cause (or every pending one); a mail outage retries later."""
    return notifications.notifications_send_email(cause=cause)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=EXPORT_SOFT_TIME_LIMIT,
    time_limit=EXPORT_TIME_LIMIT,
    max_retries=5,
)
def exports_run(self, job_id: int) -> str:
    """Build one export. A job row not visible yet (its transaction is still committing) is retried."""
    try:
        job = exports.export_run(job_id=job_id)
    except ExportJob.DoesNotExist:
        raise self.retry(countdown=2) from None
    return job.status if job is not None else "skipped"


@shared_task(acks_late=True)
def exports_requeue_stuck() -> int:
    """Publish again the export jobs whose task never reached (or was lost by) the broker."""
    return exports.export_requeue_stuck()


@shared_task(acks_late=True)
def exports_remove_expired() -> int:
    """Delete export files past their expiry."""
    return exports.export_remove_expired()


@shared_task(acks_late=True)
def reminders_send_daily() -> dict:
    """Build today's reminder digests and queue their e-mails; running it again adds nothing."""
    return digests.digests_create()


@shared_task(bind=True, acks_late=True, max_retries=8)
def reminders_email_digest(self, digest_id: int) -> bool:
    """E-mail one digest. The mail server down: retried with exponential backoff, never marked sent."""
    try:
        return digests.digest_send_email(digest_id=digest_id)
    except (OSError, smtplib.SMTPException) as exc:
        delay = settings.HAZLOG_EMAIL_RETRY_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task(acks_late=True)
def reminders_requeue_unsent() -> int:
    """Queue again today's digest e-mails that have not gone out."""
    return digests.digests_requeue_unsent()
