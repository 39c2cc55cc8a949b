"""The outbox: each audit event gets a pending delivery per matching active endpoint, in the event's transaction.

So a change and the promise to announce it commit together or not at all; a task is queued once the
transaction commits, and the periodic sweep delivers anything whose task was lost (broker down, worker
killed).
"""

from django.utils import timezone

from assessments.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from assessments.queue import enqueue_on_commit


def subscribes(event_types: list[str], action: str) -> bool:
    """Empty means every event; `mitigation.*` means every mitigation event."""
    if not event_types:
        return True
    noun = action.split(".", 1)[0]
    return action in event_types or f"{noun}.*" in event_types


def queue_deliveries(event: AuditEvent) -> list[WebhookDelivery]:
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(project_id=event.project_id, active=True).only(
            "id", "event_types"
        )
        if subscribes(endpoint.event_types, event.action)
    ]
    if not endpoints:
        return []
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now) for endpoint in endpoints]
    )
    from assessments.webhooks.tasks import webhook_deliver

    for delivery in deliveries:
        enqueue_on_commit(webhook_deliver, delivery.pk)
    return deliveries


def queue_deliveries_bulk(events: list[AuditEvent]) -> int:
    """The outbox for bulk writers (imports): one query for the endpoints and bulk inserts, whatever the number
    of events; one sweep is queued on commit instead of a task per delivery. Returns how many were written."""
    if not events:
        return 0
    endpoints = list(
        WebhookEndpoint.objects.filter(project_id__in={e.project_id for e in events}, active=True).only(
            "id", "project_id", "event_types"
        )
    )
    now = timezone.now()
    deliveries = [
        WebhookDelivery(endpoint=endpoint, event=event, next_attempt_at=now)
        for event in events
        for endpoint in endpoints
        if endpoint.project_id == event.project_id and subscribes(endpoint.event_types, event.action)
    ]
    if not deliveries:
        return 0
    WebhookDelivery.objects.bulk_create(deliveries, batch_size=1000)
    from assessments.webhooks.tasks import webhooks_sweep

    enqueue_on_commit(webhooks_sweep, len(deliveries))
    return len(deliveries)
