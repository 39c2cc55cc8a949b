"""The form renderer of the register's forms: plain <input> widgets written in Python, the rest as Django does.

Django renders every widget through three nested templates (text.html → input.html → attrs.html); for the
register's filter and add forms, which come with every register fragment, that was a tenth of its time.
The markup is exactly what those templates write (a test compares both on every input type).
"""

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

# Widgets whose template is only `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "text",
        "search",
        "email",
        "url",
        "number",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "tel",
        "color",
    )
)


def _value(value) -> str:
    # `{{ value|stringformat:'s' }}`: "%s" of the value, escaped unless it was already safe.
    return conditional_escape(value if hasattr(value, "__html__") else str(value))


def input_html(widget: dict) -> str:
    parts = [f'<input type="{_value(widget["type"])}" name="{_value(widget["name"])}"']
    if widget["value"] is not None:
        parts.append(f' value="{_value(widget["value"])}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        parts.append(
            f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_value(value)}"'
        )
    parts.append(">")
    return mark_safe("".join(parts))  # noqa: S308 - every part above is escaped


class FastInputRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return input_html(context["widget"])
        return super().render(template_name, context, request)


# One shared instance: a renderer builds its template engine once (a class here would build one per form).
FAST_INPUTS = FastInputRenderer()
