"""Matrix colours are checked by one rule, in hazards.scoring, for the browser's badges and the exports alike."""

import pytest

from assessments.exports import labels
from hazards import scoring
from hazards.templatetags import risk


@pytest.mark.parametrize("colour", ["#abc", "#A0B1C2"])
def test_plain_hex_colours_are_kept(colour):
    assert scoring.safe_colour(colour) == colour


@pytest.mark.parametrize("colour", ["red", "#abcd", "#abc\n", "#abc;background:url(x)", "", None, 7])
def test_anything_else_falls_back(colour):
    assert scoring.safe_colour(colour) == scoring.DEFAULT_COLOUR
    assert scoring.safe_colour(colour, "#000") == "#000"


def test_badges_and_exports_paint_a_tampered_colour_with_the_same_fallbacks():
    matrix = scoring.preset(scoring.DEFAULT_PRESET)
    matrix["levels"][0] = {**matrix["levels"][0], "colour": '"/><script>', "text_colour": "#abc\n"}

    exported = labels.level_colours(matrix)[0]
    badge = risk.risk_badge(scoring.levels(matrix)[0])

    assert (exported["colour"], exported["text_colour"]) == (scoring.DEFAULT_COLOUR, scoring.DEFAULT_TEXT_COLOUR)
    assert f'fill="{scoring.DEFAULT_COLOUR}"' in badge and "<script>" not in badge
