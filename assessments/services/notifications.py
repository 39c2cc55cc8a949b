"""Telling people: in-app notifications (one per person per cause) and their e-mails."""

import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from assessments.models import Notification, Project
from assessments.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable[User],
    project: Project | None,
    kind: str,
    cause: str,
    message: str,
    url: str = "",
    exclude: Iterable[User] = (),
    email: bool = True,
) -> int:
    """Notify each recipient once for this cause; returns how many were newly notified."""
    excluded = {u.pk for u in exclude if u is not None}
    people = {u.pk: u for u in recipients if u.is_active and u.pk not in excluded}
    if not people:
        return 0
    already = set(
        Notification.objects.filter(cause=cause, recipient_id__in=people).values_list("recipient_id", flat=True)
    )
    new = [
        Notification(
            recipient=user,
            project=project,
            kind=kind,
            cause=cause,
            message=message,
            url=url,
            emailed_at=None if email else timezone.now(),
        )
        for pk, user in people.items()
        if pk not in already
    ]
    # ignore_conflicts: a concurrent notify for the same cause must not fail the caller's transaction.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    if new and email:
        from assessments.tasks import notifications_email

        enqueue_on_commit(notifications_email, cause)
    return len(new)


def notifications_send_email(*, cause: str | None = None, limit: int = 200) -> int:
    """E-mail notifications not yet e-mailed, each in its own transaction; safe to run twice.

    One row is claimed, sent and marked at a time, so a failure later in the batch never un-marks mails
    already delivered. A mail server that is down raises (this one stays unsent and the task retries);
    an address the server refuses for good is logged and marked, so it cannot block everyone after it.
    """
    pending = Notification.objects.filter(emailed_at__isnull=True)
    if cause is not None:
        pending = pending.filter(cause=cause)
    sent = 0
    for notification_id in list(pending.order_by("id").values_list("id", flat=True)[:limit]):
        sent += _send_one(notification_id)
    return sent


@transaction.atomic
def _send_one(notification_id: int) -> int:
    notification = (
        Notification.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("recipient")
        .filter(pk=notification_id, emailed_at__isnull=True)
        .first()
    )
    if notification is None:
        return 0  # sent meanwhile, or another worker is sending it right now
    recipient = notification.recipient
    delivered = 0
    if recipient.email:
        link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
        try:
            send_mail(
                subject=f"[Hazlog] {notification.message[:120]}",
                message=f"{notification.message}{link}\n\n— Hazlog",
                from_email=None,
                recipient_list=[recipient.email],
            )
            delivered = 1
        except smtplib.SMTPRecipientsRefused:
            logger.warning(
                "The mail server refuses %s; notification %s not e-mailed.", recipient.email, notification.pk
            )
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])
    return delivered


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all, with None) of the user's unread notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
