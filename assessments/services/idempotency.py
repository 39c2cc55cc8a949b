"""Housekeeping of Idempotency-Key records: they are kept long enough for any sane client retry, then deleted."""

import datetime

from django.conf import settings
from django.utils import timezone

from assessments.models import IdempotencyRecord


def idempotency_prune(*, older_than: datetime.timedelta | None = None) -> int:
    """Delete records older than API_IDEMPOTENCY_TTL_HOURS; returns how many. Safe to run twice."""
    ttl = older_than or datetime.timedelta(hours=settings.HAZLOG_IDEMPOTENCY_TTL_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - ttl).delete()
    return deleted
