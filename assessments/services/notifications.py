"""Telling people: in-app notifications (one per person per cause) and their e-mails."""

import logging
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


@transaction.atomic
def notifications_send_email(*, cause: str | None = None, limit: int = 200) -> int:
    """E-mail notifications not yet e-mailed; safe to run twice (rows are claimed under a lock)."""
    pending = Notification.objects.filter(emailed_at__isnull=True).select_related("recipient")
    if cause is not None:
        pending = pending.filter(cause=cause)
    sent = 0
    for notification in pending.select_for_update(skip_locked=True, of=("self",)).order_by("id")[:limit]:
        recipient = notification.recipient
        if recipient.email:
            link = f"\n\n{settings.SITE_URL}{notification.url}" if notification.url else ""
            # A failure raises and rolls back, so nothing is marked sent and the task retries.
            send_mail(
                subject=f"[Hazlog] {notification.message[:120]}",
                message=f"{notification.message}{link}\n\n— Hazlog",
                from_email=None,
                recipient_list=[recipient.email],
            )
            sent += 1
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return sent


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or all, with None) of the user's unread notifications read."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())
