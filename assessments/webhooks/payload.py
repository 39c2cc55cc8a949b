"""The JSON body of a webhook: the audit event, plus the object's current representation if it still exists."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from assessments.models import AuditEvent
from assessments.rest import representations
from assessments.rest.pagination import iso


def build(event: AuditEvent) -> dict:
    assessment = event.assessment
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
        },
        "changes": event.changes,
        "data": representations.represent_current(event.object_type, event.object_id),
    }


def encode(payload: dict) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
