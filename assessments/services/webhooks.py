"""Webhook endpoints (owners register, edit, disable, remove them) and their deliveries (attempted, retried,
given up, redelivered by hand). Every endpoint change leaves an audit event; secrets never enter it."""

import datetime
import random
import secrets
import time

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments import audit, permissions
from assessments.errors import InvalidInput
from assessments.models import Project, Via, WebhookDelivery, WebhookEndpoint
from assessments.queue import enqueue_on_commit
from assessments.versioning import check_version, lock, save_versioned
from assessments.webhooks import netguard, payload, sender, signing

ENDPOINT_FIELDS = ["url", "event_types", "description", "active"]
EVENT_NOUNS = {
    "project",
    "membership",
    "assessment",
    "hazard",
    "consequence",
    "mitigation",
    "acceptance",
    "comment",
    "webhook",
    "evaluation",
    "citation",
    "attachment",
    "endpoint",
    "suite",
}
# A claimed attempt is given this long beyond the request timeout before the sweep may try it again.
LEASE_MARGIN = datetime.timedelta(seconds=5)


def _clean(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if "url" in changes:
        url = (changes["url"] or "").strip()
        changes["url"] = url
        if len(url) > 500:
            errors["url"] = ["Keep the URL under 500 characters."]
        else:
            try:
                netguard.safe_addresses(url)
            except netguard.UnsafeUrl as exc:
                errors["url"] = [str(exc)]
    if "event_types" in changes:
        types = list(dict.fromkeys(changes["event_types"] or []))
        changes["event_types"] = types
        unknown = [t for t in types if t.split(".", 1)[0] not in EVENT_NOUNS or "." not in t]
        if unknown:
            errors["event_types"] = [
                f"Unknown event types: {', '.join(unknown)}. Use e.g. hazard.created or mitigation.* "
                f"(nouns: {', '.join(sorted(EVENT_NOUNS))})."
            ]
    if "description" in changes:
        changes["description"] = (changes["description"] or "").strip()[:200]
    if "secret" in changes and not 16 <= len(changes["secret"] or "") <= 128:
        errors["secret"] = ["A secret needs 16 to 128 characters."]
    if errors:
        raise InvalidInput(errors)
    return changes


def _check_owner(by: User, project: Project) -> None:
    if not permissions.can_manage(by, project):
        raise PermissionDenied("Only project owners can manage webhooks.")


@transaction.atomic
def webhook_create(
    *,
    project_id: int,
    by: User,
    url: str,
    event_types: list[str] | None = None,
    description: str = "",
    active: bool = True,
    secret: str | None = None,
    via: str = Via.WEB,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret (generated unless given)."""
    project = Project.objects.get(pk=project_id)
    _check_owner(by, project)
    values = _clean(
        {
            "url": url,
            "event_types": event_types or [],
            "description": description,
            "active": bool(active),
            **({"secret": secret} if secret is not None else {}),
        }
    )
    secret = values.pop("secret", None) or secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(project=project, secret=secret, created_by=by, **values)
    changes = audit.snapshot_fields(endpoint, ENDPOINT_FIELDS)
    changes["url"] = [None, WebhookEndpoint.redact(endpoint.url)]
    audit.record(
        actor=by,
        via=via,
        action="webhook.created",
        project=project,
        obj=endpoint,
        object_ref=f"webhook {endpoint.pk}",
        changes=changes,
    )
    return endpoint, secret


@transaction.atomic
def webhook_update(
    *, webhook_id: int, by: User, expected_version: int | None, via: str = Via.WEB, **changes
) -> WebhookEndpoint:
    """Change the URL, event types, description, active flag or secret (a new secret is not audited)."""
    endpoint = lock(WebhookEndpoint, webhook_id)
    _check_owner(by, endpoint.project)
    check_version(endpoint, expected_version)
    unknown = set(changes) - {*ENDPOINT_FIELDS, "secret"}
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    changes = _clean(changes)
    diff = audit.field_changes(endpoint, changes)
    if not diff:
        return endpoint
    if "secret" in diff:
        diff["secret"] = ["(previous)", "(replaced)"]
    if "url" in diff:
        diff["url"] = [WebhookEndpoint.redact(endpoint.url), WebhookEndpoint.redact(changes["url"])]
    save_versioned(endpoint, endpoint.version, {field: changes[field] for field in changes if field in diff})
    audit.record(
        actor=by,
        via=via,
        action="webhook.updated",
        project=endpoint.project,
        obj=endpoint,
        object_ref=f"webhook {endpoint.pk}",
        changes=diff,
    )
    return endpoint


@transaction.atomic
def webhook_delete(*, webhook_id: int, by: User, expected_version: int | None, via: str = Via.WEB) -> None:
    endpoint = lock(WebhookEndpoint, webhook_id)
    _check_owner(by, endpoint.project)
    check_version(endpoint, expected_version)
    changes = {field: [value, None] for field, (_, value) in audit.snapshot_fields(endpoint, ENDPOINT_FIELDS).items()}
    changes["url"] = [WebhookEndpoint.redact(endpoint.url), None]
    audit.record(
        actor=by,
        via=via,
        action="webhook.deleted",
        project=endpoint.project,
        obj=endpoint,
        object_ref=f"webhook {endpoint.pk}",
        changes=changes,
    )
    endpoint.delete()


@transaction.atomic
def webhook_redeliver(*, delivery_id: int, by: User, via: str = Via.WEB) -> WebhookDelivery:
    """Send a delivery again from scratch (any state): attempts start over, the log shows the new tries."""
    delivery = lock(WebhookDelivery, delivery_id)
    endpoint = WebhookEndpoint.objects.select_related("project").get(pk=delivery.endpoint_id)
    _check_owner(by, endpoint.project)
    before = {"status": delivery.status, "attempts": delivery.attempts, "last_status_code": delivery.last_status_code}
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.State.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    delivery.refresh_from_db()
    audit.record(
        actor=by,
        via=via,
        action="webhook.redelivered",
        project=endpoint.project,
        obj=endpoint,
        object_ref=f"webhook {endpoint.pk}",
        changes={"delivery": [None, delivery.pk], **{k: [v, None] for k, v in before.items()}},
    )
    from assessments.webhooks.tasks import webhook_deliver

    enqueue_on_commit(webhook_deliver, delivery.pk)
    return delivery


# --- Delivering -----------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> datetime.timedelta:
    """base × 2^(attempts-1), with up to 10 % jitter so that retries of many deliveries spread out."""
    seconds = settings.HAZLOG_WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=seconds * (1 + random.uniform(0, 0.1)))


def _claim(delivery_id: int, now: datetime.datetime) -> bool:
    # Compare-and-set: of a scheduled retry and a sweep racing for the same delivery, one wins. The lease
    # (next_attempt_at pushed past the request timeout) lets the sweep retry if this worker dies mid-request.
    lease = now + datetime.timedelta(seconds=settings.HAZLOG_WEBHOOK_TIMEOUT_SECONDS) + LEASE_MARGIN
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=now,
            attempts__lt=settings.HAZLOG_WEBHOOK_MAX_ATTEMPTS,
        ).update(next_attempt_at=lease, attempts=F("attempts") + 1)
    )


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Make one attempt if the delivery is due; returns it afterwards, or None if it was not due (or taken).

    Safe to run twice at once and after a crash: the claim decides who sends, and an attempt that never
    finished is retried by the sweep once its lease ends.
    """
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "event__project", "event__assessment").get(
        pk=delivery_id
    )
    endpoint = delivery.endpoint
    if not endpoint.active:
        result = sender.Result(None, 0, "Not sent: the endpoint is disabled.")
    else:
        body = payload.encode(payload.build(delivery.event))
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Hazlog-Webhooks/1",
            "X-Hazlog-Event": delivery.event.action,
            "X-Hazlog-Event-Id": str(delivery.event_id),
            "X-Hazlog-Delivery": str(delivery.pk),
            "X-Hazlog-Timestamp": str(timestamp),
            "X-Hazlog-Signature": signing.signature(endpoint.secret, timestamp, body),
        }
        result = sender.post(endpoint.url, body, headers, timeout=settings.HAZLOG_WEBHOOK_TIMEOUT_SECONDS)
    finished = timezone.now()
    values = {
        "last_status_code": result.status_code,
        "last_duration_ms": result.duration_ms,
        "last_error": result.error,
    }
    if result.ok:
        values.update(status=WebhookDelivery.State.SUCCEEDED, delivered_at=finished, next_attempt_at=None)
    elif not endpoint.active or delivery.attempts >= settings.HAZLOG_WEBHOOK_MAX_ATTEMPTS:
        values.update(status=WebhookDelivery.State.FAILED, next_attempt_at=None)
    else:
        values.update(next_attempt_at=finished + retry_delay(delivery.attempts))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**values)
    for field, value in values.items():
        setattr(delivery, field, value)
    return delivery


def webhook_give_up_abandoned() -> int:
    """Fail deliveries whose last allowed attempt never finished (its worker died); returns how many."""
    return WebhookDelivery.objects.filter(
        status=WebhookDelivery.State.PENDING,
        attempts__gte=settings.HAZLOG_WEBHOOK_MAX_ATTEMPTS,
        next_attempt_at__lte=timezone.now(),
    ).update(
        status=WebhookDelivery.State.FAILED,
        next_attempt_at=None,
        last_error="Gave up: the last attempt did not finish (its worker stopped).",
    )


def due_deliveries(*, limit: int = 500) -> list[int]:
    """Ids of pending deliveries whose next attempt is due, oldest first (a read for the sweep)."""
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=timezone.now(),
            attempts__lt=settings.HAZLOG_WEBHOOK_MAX_ATTEMPTS,
        )
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def webhook_log_prune(*, older_than: datetime.timedelta | None = None) -> int:
    """Forget finished deliveries older than WEBHOOK_LOG_DAYS (pending ones stay); returns how many."""
    age = older_than or datetime.timedelta(days=settings.HAZLOG_WEBHOOK_LOG_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(
        created_at__lt=timezone.now() - age, status__in=[WebhookDelivery.State.SUCCEEDED, WebhookDelivery.State.FAILED]
    ).delete()
    return deleted
