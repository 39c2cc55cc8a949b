"""A stale save, explained: what others changed (and who, when), the user's unsaved values, and a form to
re-apply them on top of the current version."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.http import QueryDict

from assessments import selectors
from assessments.errors import StaleVersion
from assessments.models import AuditEvent


@dataclass
class ConflictRow:
    label: str
    theirs: str
    yours: str


@dataclass
class Conflict:
    current: object
    expected_version: int
    events: list[AuditEvent]
    rows: list[ConflictRow] = field(default_factory=list)
    form: forms.Form | None = None


def display(form_field: forms.Field, value) -> str:
    """A value as the form shows it: the label of a choice, the username of a member, "—" for nothing."""
    if value is None or value == "":
        return "—"
    if hasattr(value, "get_username"):
        return value.get_username()
    choices = getattr(form_field, "choices", None)
    if choices:
        for key, label in choices:
            if str(key) == str(value):
                return str(label)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def build_conflict(
    *, user, form: forms.Form, exc: StaleVersion, object_type: str, rebind: Callable[[QueryDict], forms.Form]
) -> Conflict:
    """Compare the current object with what the user submitted; re-bind their values to the current version.

    The audit events since the user's version tell who changed it and when: every versioned write records
    one event, so the newest (current version - expected version) events of the object are those writes.
    """
    current = exc.current
    missed = max(1, current.version - exc.expected_version)
    events = list(selectors.object_history(user=user, object_type=object_type, object_id=current.pk)[:missed])
    rows = []
    for name, value in form.cleaned_data.items():
        if name == "version" or name not in form.fields:
            continue
        theirs = getattr(current, name, None)
        if display(form.fields[name], theirs) != display(form.fields[name], value):
            rows.append(
                ConflictRow(
                    str(form.fields[name].label or name),
                    display(form.fields[name], theirs),
                    display(form.fields[name], value),
                )
            )
    data = form.data.copy()
    data[form.add_prefix("version")] = current.version
    # The user's values, now based on the current version: saving again applies them on top of it.
    rebound = rebind(data)
    rebound.is_valid()
    return Conflict(current=current, expected_version=exc.expected_version, events=events, rows=rows, form=rebound)
