"""The JSON body of a webhook: the audit event, plus the object's current representation if it still exists."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from assessments.audit import is_deletion
from assessments.models import AuditEvent
from assessments.rest import representations
from assessments.rest.pagination import iso


def state_version(event: AuditEvent, data: dict | None) -> tuple[int | None, bool]:
    """(version, deleted) of the state this payload shows, which receivers compare per object.

    `data` is read at sending time, so its version (never older than the event's) is the one that describes
    it; a gone object has its deletion's tombstone version, whichever of its events is being delivered.
    """
    if data is not None and "version" in data:
        return data["version"], False
    if data is None and event.object_id is not None:
        deletion = (
            AuditEvent.objects.filter(object_type=event.object_type, object_id=event.object_id)
            .order_by("-id")
            .values("action", "object_version")
            .first()
        )
        if deletion is not None and is_deletion(deletion["action"]):
            return deletion["object_version"], True
    return event.object_version, False


def build(event: AuditEvent) -> dict:
    assessment = event.assessment
    data = representations.represent_current(event.object_type, event.object_id)
    version, deleted = state_version(event, data)
    return {
        "id": event.pk,
        "type": event.action,
        "created_at": iso(event.created_at),
        "actor": {"username": event.actor_name, "via": event.via},
        "project": {"id": event.project_id, "name": event.project.name},
        "assessment": (
            {
                "id": assessment.pk,
                "title": assessment.title,
                "revision": assessment.revision,
                "status": assessment.status,
            }
            if assessment is not None
            else None
        ),
        "object": {
            "type": representations.resource_name(event.object_type),
            "id": event.object_id,
            "ref": event.object_ref,
            "repr": event.object_repr,
            "version": version,
            "deleted": deleted,
        },
        "changes": event.changes,
        "data": data,
    }


def encode(payload: dict) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
