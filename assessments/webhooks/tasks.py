"""Celery tasks that deliver webhooks: one attempt per task, retries scheduled, and the sweep behind them."""

from celery import shared_task

from assessments.services import webhooks


@shared_task(acks_late=True, ignore_result=True)
def webhook_deliver(delivery_id: int) -> str:
    """Attempt one delivery if it is due; schedule the next try if it failed and tries remain."""
    delivery = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return "not due"
    if delivery.status == delivery.State.PENDING and delivery.next_attempt_at is not None:
        # Best effort: if this message is lost, the sweep finds the row when it is due.
        webhook_deliver.apply_async((delivery_id,), eta=delivery.next_attempt_at)
    return delivery.status


@shared_task(acks_late=True, ignore_result=True)
def webhooks_sweep(limit: int = 500) -> int:
    """Queue every due delivery (lost messages, a broker outage, a killed worker); returns how many."""
    webhooks.webhook_give_up_abandoned()
    due = webhooks.due_deliveries(limit=limit)
    for delivery_id in due:
        webhook_deliver.delay(delivery_id)
    return len(due)


@shared_task(acks_late=True, ignore_result=True)
def webhook_log_prune() -> int:
    """Delete finished deliveries past their retention; safe to run twice."""
    return webhooks.webhook_log_prune()
