"""Colour contrast: the stylesheet's text/background pairs and the risk-level badges meet WCAG AA (4.5:1)."""

import re
from pathlib import Path

import pytest

from hazards import scoring
from hazards.templatetags.risk import ink

CSS = (Path(__file__).resolve().parents[3] / "static" / "css" / "hazlog.css").read_text()
TOKENS = dict(re.findall(r"--(c-[\w-]+):\s*(#[0-9a-fA-F]{6})", CSS))
WHITE, INK_DARK = "#ffffff", "#1f2328"


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("c-text", "c-bg"),
        ("c-text", "c-surface"),
        ("c-muted", "c-surface"),
        ("c-muted", "c-surface-2"),
        ("c-muted", "c-bg"),
        ("c-accent", "c-surface"),
        ("c-accent", "c-bg"),
        ("c-accent-strong", "c-accent-soft"),
        ("c-on-accent", "c-accent"),
        ("c-on-header", "c-header"),
        ("c-danger", "c-danger-soft"),
        ("c-danger", "c-surface"),
        ("c-success", "c-success-soft"),
        ("c-warning", "c-warning-soft"),
    ],
)
def test_text_colours_meet_aa_on_their_backgrounds(text, background):
    assert contrast(TOKENS[text], TOKENS[background]) >= 4.5


@pytest.mark.parametrize("preset", list(scoring.PRESETS))
def test_risk_badges_write_their_level_in_a_readable_ink(preset):
    for level in scoring.levels(scoring.preset(preset)):
        text = WHITE if ink(level.text_colour) == "ink-light" else INK_DARK
        assert contrast(text, level.colour) >= 4.5, (preset, level.name)


def test_the_focus_ring_is_visible_on_white():
    assert contrast(TOKENS["c-focus"], TOKENS["c-surface"]) >= 3
