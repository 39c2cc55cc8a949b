"""Writing audit events: the before/after record every service leaves in the same transaction."""

import datetime
import decimal
from typing import Any

from django.db import models

from assessments.models import AuditEvent, Via
from assessments.webhooks import outbox


def audit_value(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if isinstance(value, models.Model):
        return getattr(value, "username", None) or str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [audit_value(v) for v in value]
    return value


def is_deletion(action: str) -> bool:
    return action.endswith(".deleted")


def version_after(obj: models.Model, action: str) -> int:
    """Webhook receivers keep the highest version per object, so every event gives one that only increases.

    A deletion is one write more than the object's last version (a tombstone no later event can outrank:
    ids are never reused). Objects without a `version` field are written once (comments, approvals)."""
    version = getattr(obj, "version", 1)
    return version + 1 if is_deletion(action) else version


def field_changes(instance: models.Model, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value really changes."""
    diff = {}
    for field, after in changes.items():
        before = getattr(instance, field)
        if before != after:
            diff[field] = [audit_value(before), audit_value(after)]
    return diff


def snapshot_fields(instance: models.Model, fields: list[str]) -> dict[str, list[Any]]:
    """{field: [None, value]} for a created object, or the reverse for a deleted one."""
    return {field: [None, audit_value(getattr(instance, field))] for field in fields}


def build(
    *,
    actor,
    via: str,
    action: str,
    project,
    obj: models.Model | None = None,
    object_type: str = "",
    object_ref: str = "",
    assessment=None,
    changes: dict[str, Any] | None = None,
    object_version: int | None = None,
) -> AuditEvent:
    """An unsaved audit event; `record` saves one, bulk writers (imports) save many with `record_many`."""
    if via not in Via.values:
        raise ValueError(f"Unknown interface {via!r}")
    return AuditEvent(
        project=project,
        assessment=assessment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "system",
        via=via,
        action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=obj.pk if obj is not None else None,
        object_ref=object_ref or getattr(obj, "ref", "") or "",
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=changes or {},
        object_version=object_version or (version_after(obj, action) if obj is not None else None),
    )


def record(
    *,
    actor,
    via: str,
    action: str,
    project,
    obj: models.Model | None = None,
    object_type: str = "",
    object_ref: str = "",
    assessment=None,
    changes: dict[str, Any] | None = None,
    object_version: int | None = None,
) -> AuditEvent:
    event = build(
        actor=actor,
        via=via,
        action=action,
        project=project,
        obj=obj,
        object_type=object_type,
        object_ref=object_ref,
        assessment=assessment,
        changes=changes,
        object_version=object_version,
    )
    event.save()
    outbox.queue_deliveries(event)
    return event


def record_many(events: list[AuditEvent], *, batch_size: int = 1000) -> list[AuditEvent]:
    """Save events made with `build` in bulk, with their webhook deliveries (the outbox) in bulk too."""
    saved = AuditEvent.objects.bulk_create(events, batch_size=batch_size)
    outbox.queue_deliveries_bulk(saved)
    return saved
