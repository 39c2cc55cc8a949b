"""Which serializer represents which model, so that a 412 and a webhook payload can show the current object.

Each app registers its own serializers (hazards in its AppConfig.ready), so assessments never imports hazards.
"""

from collections.abc import Callable
from typing import Any

from django.db import models

_SERIALIZERS: dict[type[models.Model], Any] = {}
# Resource names for audit object types, as API clients see them (the audit trail stores model names).
OBJECT_TYPES = {
    "project": "project",
    "membership": "membership",
    "assessment": "assessment",
    "approval": "approval",
    "hazardscenario": "hazard",
    "consequence": "consequence",
    "mitigation": "mitigation",
    "riskacceptance": "risk_acceptance",
    "comment": "comment",
    "webhookendpoint": "webhook",
    "evaluationrun": "evaluation_run",
    "evidencecitation": "evidence_citation",
    "attachment": "attachment",
    "modelendpoint": "model_endpoint",
    "customsuite": "evaluation_suite",
}
MODEL_NAMES = {resource: model_name for model_name, resource in OBJECT_TYPES.items()}


def register(
    model: type[models.Model], serializer_class, *, load: Callable[[int], Any] | None = None, payload=None
) -> None:
    """`load(pk)` fetches the object with what its serializer reads; the default is a plain get.

    `payload` is the serializer for webhook payloads when every receiver of the project may not see all
    that the API shows the object's readers (a webhook's URL credentials); the default is `serializer_class`.
    """
    _SERIALIZERS[model] = (
        serializer_class,
        load or (lambda pk: model.objects.filter(pk=pk).first()),
        payload or serializer_class,
    )


def resource_name(object_type: str) -> str:
    return OBJECT_TYPES.get(object_type, object_type)


def represent(obj: models.Model) -> dict | None:
    entry = _SERIALIZERS.get(type(obj))
    if entry is None:
        return None
    return dict(entry[0](obj).data)


def represent_current(object_type: str, object_id: int | None) -> dict | None:
    """The current payload representation of an audited object, or None if it no longer exists (or has none)."""
    if object_id is None:
        return None
    for model, (_, load, payload_class) in _SERIALIZERS.items():
        if model._meta.model_name == object_type:
            obj = load(object_id)
            return dict(payload_class(obj).data) if obj is not None else None
    return None
