"""Housekeeping tasks of the REST API."""

from celery import shared_task

from assessments.services.idempotency import idempotency_prune


@shared_task(acks_late=True, ignore_result=True)
def idempotency_records_prune() -> int:
    """Delete Idempotency-Key records older than their time to live; safe to run twice."""
    return idempotency_prune()
