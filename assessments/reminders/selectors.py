"""Reads for the reminder pages: a person's own digests and preferences, never anyone else's."""

import datetime

from django.contrib.auth.models import User
from django.http import Http404

from assessments.models import Profile, ReminderDigest
from assessments.reminders import rules


def digest_get(*, user: User, date: datetime.date) -> ReminderDigest:
    digest = ReminderDigest.objects.filter(user=user, date=date).first()
    if digest is None:
        raise Http404("No reminders for that day.")
    return digest


def digest_groups(digest: ReminderDigest) -> list[dict]:
    """The digest's items under one heading per kind, in the order of the rules."""
    groups = [
        {"title": title, "items": [item for item in digest.items if item["kind"] == kind]}
        for kind, title in rules.KIND_TITLES.items()
    ]
    return [group for group in groups if group["items"]]


def digest_recent(*, user: User, limit: int = 14) -> list[ReminderDigest]:
    return list(ReminderDigest.objects.filter(user=user).order_by("-date")[:limit])


def email_digests_enabled(*, user: User) -> bool:
    return Profile.objects.filter(user=user).values_list("email_digests", flat=True).first() is not False
