"""Template helpers for risk levels: coloured badges and rating labels drawn from the assessment's matrix.

The colours are matrix data, so they are painted as SVG fills (attributes, which the CSP allows) rather
than inline styles (which it forbids). The level's name is always written out: colour is never the only cue.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from hazards import scoring

register = template.Library()


def ink(text_colour: str) -> str:
    """'ink-light' for light text (on a dark fill), else 'ink-dark'."""
    colour = scoring.safe_colour(text_colour, scoring.DEFAULT_TEXT_COLOUR).lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return "ink-light" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "ink-dark"


def fill_svg(colour: str) -> str:
    return format_html(
        '<svg class="fill" aria-hidden="true" focusable="false" viewBox="0 0 1 1" preserveAspectRatio="none">'
        '<rect width="1" height="1" fill="{}"/></svg>',
        scoring.safe_colour(colour),
    )


@register.simple_tag
def risk_badge(level: scoring.Level | None, suffix: str = "") -> str:
    """A badge with the level's name (and an optional suffix such as the rating)."""
    if level is None:
        return mark_safe('<span class="risk unrated">Unrated</span>')
    extra = format_html(' <span class="score">{}</span>', suffix) if suffix else ""
    return format_html(
        '<span class="risk {}" title="{}">{}{}{}</span>',
        ink(level.text_colour),
        level.acceptance,
        fill_svg(level.colour),
        level.name,
        extra,
    )


@register.simple_tag
def rating_badge(levels_by_key: dict, scenario, stage: str) -> str:
    """The inherent or residual rating of a scenario: its level badge with likelihood × severity."""
    level = levels_by_key.get(getattr(scenario, f"{stage}_level") or "")
    likelihood = getattr(scenario, f"{stage}_likelihood")
    severity = getattr(scenario, f"{stage}_severity")
    if level is None:
        if likelihood is None and severity is None:
            return risk_badge(None)
        return format_html(
            '<span class="risk unrated">Partly rated <span class="score">{}×{}</span></span>',
            likelihood or "–",
            severity or "–",
        )
    return risk_badge(level, f"{likelihood}×{severity}")


@register.simple_tag
def axis_value(matrix: dict, axis: str, value) -> str:
    """`{% axis_value matrix "severity" 3 %}` → "3 · Moderate"."""
    if value in (None, ""):
        return "—"
    try:
        return f"{value} · {scoring.axis_name(matrix, axis, int(value))}"
    except (IndexError, ValueError, KeyError, TypeError):
        return str(value)


@register.filter
def ink_class(text_colour: str) -> str:
    return ink(text_colour)


@register.simple_tag
def fill(colour: str) -> str:
    """An SVG rect that paints its positioned parent in a matrix colour."""
    return fill_svg(colour)


@register.simple_tag
def diff_rating(rating: dict | None, levels_by_key: dict) -> str:
    """A rating from a revision diff ({likelihood, severity, level, level_name}) as a badge."""
    if not rating or rating.get("level") is None:
        return risk_badge(None)
    level = levels_by_key.get(rating["level"])
    if level is None:
        return format_html(
            '<span class="risk unrated">{} {}×{}</span>',
            rating.get("level_name") or rating["level"],
            rating.get("likelihood"),
            rating.get("severity"),
        )
    return risk_badge(level, f"{rating.get('likelihood')}×{rating.get('severity')}")
