"""Template helpers for the page frame: navigation state, unread count, status badges, audit changes."""

import re

from django import template
from django.utils.dateparse import parse_datetime
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from assessments import selectors
from assessments.models import Status

register = template.Library()

# Which navigation entry a page belongs to, by URL name prefix.
_SECTIONS = {
    "home": "home",
    "notification": "notifications",
    "catalogue": "catalogue",
    "portfolio": "portfolio",
    # The account's own pages belong to no main-navigation entry.
    "two_factor": "account",
}


@register.filter
def nav_section(url_name: str | None) -> str:
    if not url_name:
        return ""
    for prefix, section in _SECTIONS.items():
        if url_name.startswith(prefix):
            return section
    return "projects"


@register.simple_tag(takes_context=True)
def unread_notification_count(context) -> int:
    """One cheap query, only when the full page frame renders (never in htmx fragments)."""
    return selectors.unread_notification_count(user=context["request"].user)


@register.simple_tag
def status_badge(status: str) -> str:
    try:
        label = Status(status).label
    except ValueError:
        label = status
    return format_html('<span class="status status-{}">{}</span>', status, label)


@register.filter
def change_value(value) -> str:
    """A before/after value of an audit event, readable."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= 160 else text[:159] + "…"


@register.filter
def field_label(name: str) -> str:
    return name.replace("_", " ")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None or "" removes them)."""
    return query_string(context["request"].GET, **changes)


def query_string(query, **changes) -> str:
    """`query` (a QueryDict) with some parameters replaced, as "?…": query_with for views."""
    params = query.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


_OBJECTS = {
    "hazard": "scenario",
    "assessment": "assessment",
    "mitigation": "mitigation",
    "consequence": "a consequence of",
    "acceptance": "a risk acceptance of",
    "comment": "on",
    "project": "project",
    "membership": "membership of",
}
_VERBS = {
    "created": "added",
    "updated": "changed",
    "deleted": "removed",
    "submitted": "submitted",
    "changes_requested": "requested changes to",
    "approval_given": "approved",
    "approved": "completed the approval of",
    "superseded": "superseded",
    "archived": "archived",
    "revision_started": "started",
    "granted": "granted",
    "revoked": "revoked",
    "expired": "saw expire",
}


@register.filter
def event_verb(action: str) -> str:
    """ "hazard.updated" → "changed scenario": a readable phrase for the activity feed."""
    noun, _, verb = action.partition(".")
    if noun == "comment" and verb == "created":
        return "commented on"
    if noun == "assessment" and verb == "revision_started":
        return "started a new revision"
    words = _VERBS.get(verb, verb.replace("_", " "))
    thing = _OBJECTS.get(noun, noun)
    if noun == "assessment" and verb != "updated" and verb != "created":
        return f"{words} the assessment"
    return f"{words} {thing}"


@register.filter
def get_item(mapping, key):
    """`mapping|get_item:key` for dictionaries keyed by something other than a literal."""
    if mapping is None:
        return None
    return mapping.get(key)


_MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


@register.filter
def with_mentions(body: str) -> str:
    """The comment text, escaped, with @mentions emphasised."""
    escaped = conditional_escape(body)
    return mark_safe(_MENTION.sub(lambda m: f'<span class="mention">@{m.group(1)}</span>', escaped))  # noqa: S308


@register.filter
def iso_datetime(value: str):
    """An ISO 8601 timestamp (as the verification data carries them) as a datetime, for |date."""
    return parse_datetime(value) if isinstance(value, str) else value


@register.filter
def percent(share) -> str:
    """A share in [0, 1] as a whole percentage ("42%"); empty for a missing value."""
    if share is None or share == "":
        return ""
    return f"{float(share) * 100:.0f}%"


@register.filter
def select_options(field) -> str:
    """The <option>s of a bound choice field, the current value selected: one call instead of a template
    loop, whose nodes per option made the register's filter and add forms a quarter of its time."""
    value = field.value()
    current = "" if value is None else str(value)  # compared as text, None as "", as Django's Select does
    return mark_safe(  # noqa: S308 - every value and label is escaped
        "".join(
            f'<option value="{conditional_escape(choice)}"{" selected" if str(choice) == current else ""}>'
            f"{conditional_escape(label)}</option>"
            for choice, label in field.field.choices
        )
    )
