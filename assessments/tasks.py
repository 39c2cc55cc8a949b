"""Celery tasks of the assessments app: thin, id-based, safe to run twice."""

from celery import shared_task

from assessments.services import notifications


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=8)
def notifications_email(cause: str | None = None) -> int:
    """E-mail the notifications of one cause (or every pending one); a mail outage retries later."""
    return notifications.notifications_send_email(cause=cause)
