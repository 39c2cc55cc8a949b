"""Optimistic concurrency: every edit names the version it started from, and a stale one writes nothing."""

from typing import Any, TypeVar

from django.db import models
from django.db.models import F
from django.utils import timezone

from assessments.errors import StaleVersion

M = TypeVar("M", bound=models.Model)


def lock(model: type[M], pk: int) -> M:
    """Read the current row under a lock, so the before-values of the audit event are the latest."""
    return model.objects.select_for_update().get(pk=pk)


def check_version(current: models.Model, expected_version: int | None) -> None:
    """expected_version=None skips the check (API writes without If-Match, documented as unsafe)."""
    if expected_version is not None and current.version != expected_version:
        raise StaleVersion(current=current, expected_version=expected_version)


def save_versioned(instance: M, expected_version: int, changes: dict[str, Any]) -> M:
    """One conditional UPDATE ... WHERE version = expected; zero rows means someone saved first."""
    values = dict(changes)
    if any(f.name == "updated_at" for f in instance._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    rows = (
        type(instance)
        .objects.filter(pk=instance.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if rows == 0:
        raise StaleVersion(current=type(instance).objects.get(pk=instance.pk), expected_version=expected_version)
    for field, value in values.items():
        setattr(instance, field, value)
    instance.version = expected_version + 1
    return instance
