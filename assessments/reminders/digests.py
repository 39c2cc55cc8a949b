"""One reminder digest per person per day: in-app (a notification linking to it) and by e-mail, never twice.

The unique (user, date) row is what stops a second digest when the daily task runs again; the e-mail
is sent by its own task, claimed under a row lock and marked sent only once the mail server took it, so
a mail outage means a retry later and never a digest marked sent that nobody received.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.models import Notification, Profile, ReminderDigest
from assessments.reminders import rules

logger = logging.getLogger(__name__)

EMAIL_ITEMS_PER_KIND = 50


def digest_url(date: datetime.date) -> str:
    return reverse("reminder_digest", args=[date.isoformat()])


def wants_email(user: User) -> bool:
    """E-mail digests are on unless the person turned them off on their profile page."""
    try:
        enabled = user.profile.email_digests
    except Profile.DoesNotExist:
        enabled = True
    return bool(user.email) and enabled


def _day(date: datetime.date) -> str:
    return f"{date.day} {date:%B %Y}"


def _summary(date: datetime.date, items: list[dict]) -> str:
    kinds = {item["kind"] for item in items}
    return (
        f"Your reminders for {_day(date)}: {len(items)} item{'s' if len(items) != 1 else ''} "
        f"({', '.join(rules.KIND_TITLES[k].lower() for k in rules.KIND_TITLES if k in kinds)})."
    )


def _ordered(items: list[rules.Item]) -> list[dict]:
    order = list(rules.KIND_TITLES)
    return [item.as_json() for item in sorted(items, key=lambda i: (order.index(i.kind), i.sort, i.text))]


def _chunks(ids: list[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def digests_create(*, today: datetime.date | None = None) -> dict[str, int]:
    """Build today's digests (idempotent) and queue the e-mails not sent yet.

    Queries: the rules' (a few per batch of candidates) plus four per batch of people.
    """
    from assessments.queue import enqueue_on_commit
    from assessments.tasks import reminders_email_digest

    today = today or timezone.localdate()
    items = rules.collect(today)
    counts = {"people": 0, "items": 0, "emails_queued": 0}
    for ids in _chunks(sorted(items), rules.BATCH):
        with transaction.atomic():
            users = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True).select_related("profile")}
            ReminderDigest.objects.bulk_create(
                [ReminderDigest(user_id=pk, date=today, items=_ordered(items[pk])) for pk in users],
                ignore_conflicts=True,  # a digest made by an earlier run today stays as it was
            )
            digests = list(ReminderDigest.objects.filter(date=today, user_id__in=list(users)))
            Notification.objects.bulk_create(
                [
                    Notification(
                        recipient_id=d.user_id,
                        kind="reminder_digest",
                        cause=f"digest:{today.isoformat()}",
                        message=_summary(today, d.items),
                        url=digest_url(today),
                        # The digest e-mail is the e-mail: the per-notification mailer must not send another.
                        emailed_at=timezone.now(),
                    )
                    for d in digests
                ],
                ignore_conflicts=True,
            )
            for digest in digests:
                counts["people"] += 1
                counts["items"] += len(digest.items)
                if digest.emailed_at is None and wants_email(users[digest.user_id]):
                    enqueue_on_commit(reminders_email_digest, digest.pk)
                    counts["emails_queued"] += 1
    return counts


def _render(digest: ReminderDigest) -> tuple[str, str, str]:
    from assessments.reminders.selectors import digest_groups

    # An e-mail lists at most EMAIL_ITEMS_PER_KIND items of each kind; the digest page in the app has all.
    groups = [
        {**group, "items": group["items"][:EMAIL_ITEMS_PER_KIND], "more": len(group["items"]) - EMAIL_ITEMS_PER_KIND}
        for group in digest_groups(digest)
    ]
    context = {
        "user": digest.user,
        "date": digest.date,
        "groups": groups,
        "count": len(digest.items),
        "site_url": settings.SITE_URL,
        "digest_url": settings.SITE_URL + digest_url(digest.date),
        "profile_url": settings.SITE_URL + reverse("profile"),
    }
    subject = f"[Hazlog] Your reminders for {_day(digest.date)}: {len(digest.items)} item" + (
        "s" if len(digest.items) != 1 else ""
    )
    text = render_to_string("assessments/reminders/digest_email.txt", context)
    html = render_to_string("assessments/reminders/digest_email.html", context)
    return subject, text, html


@transaction.atomic
def digest_send_email(*, digest_id: int) -> bool:
    """E-mail one digest if not sent yet. A mail server failure raises (nothing marked sent) for a retry."""
    digest = (
        ReminderDigest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(pk=digest_id, emailed_at__isnull=True)
        .first()
    )
    if digest is None:
        return False  # already sent, or another worker is sending it right now
    if not wants_email(digest.user):
        return False
    subject, text, html = _render(digest)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[digest.user.email])
    message.attach_alternative(html, "text/html")
    message.send()
    digest.emailed_at = timezone.now()
    digest.save(update_fields=["emailed_at"])
    return True


def digests_requeue_unsent(*, today: datetime.date | None = None) -> int:
    """Queue again the e-mails of today's digests not sent yet (the queue or the mail server was down
    longer than the task's retries lasted). Sending stays once-only: the send claims the row."""
    from assessments.queue import enqueue_on_commit
    from assessments.tasks import reminders_email_digest

    today = today or timezone.localdate()
    unsent = ReminderDigest.objects.filter(date=today, emailed_at__isnull=True, user__is_active=True)
    queued = 0
    with transaction.atomic():
        for digest in unsent.select_related("user__profile"):
            if wants_email(digest.user):
                enqueue_on_commit(reminders_email_digest, digest.pk)
                queued += 1
    return queued


@transaction.atomic
def profile_set_email_digests(*, user: User, enabled: bool) -> Profile:
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.email_digests != enabled:
        profile.email_digests = enabled
        profile.save(update_fields=["email_digests"])
    return profile
