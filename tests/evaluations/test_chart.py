"""The pass-rate SVG: well-formed, escaped, placed where the geometry says, and readable in a WeasyPrint PDF."""

import io
import xml.etree.ElementTree as ET

import pytest
import weasyprint
from pypdf import PdfReader

from evaluations import chart, scoring
from evaluations.reference_data import CODEX_12B_CHAINED_STEPS, CODEX_12B_LABEL

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the chart's own output, not untrusted XML


def level_point(level: int, passed: int, n: int = 20) -> chart.LevelPoint:
    low, high = scoring.wilson_interval(passed, n)
    return chart.LevelPoint(level=level, rate=passed / n, low=low, high=high, n=n)


def full_chart(**overrides) -> str:
    points = [level_point(1, 10), level_point(2, 5), level_point(3, 2), level_point(4, 0)]
    decay = scoring.fit_decay([(p.level, p.rate, p.n) for p in points])
    arguments = {
        "points": points,
        "scale": "steps",
        "decay": decay,
        "reference": CODEX_12B_CHAINED_STEPS,
        "reference_label": CODEX_12B_LABEL,
        "title": "Chained string manipulation",
    } | overrides
    return chart.pass_rate_svg(**arguments)


def test_the_chart_is_well_formed_svg_with_an_accessible_name():
    svg = full_chart()
    assert svg.startswith("<svg")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Chained string manipulation"
    assert root.find(f"{SVG}title").text == "Chained string manipulation"


def test_the_chart_shows_axes_legend_decay_ratio_and_reference_label():
    svg = full_chart()
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    decay = scoring.fit_decay([(1, 0.5, 20), (2, 0.25, 20), (3, 0.1, 20), (4, 0.0, 20)])
    assert chart.Y_AXIS_LABEL in texts
    assert "Chained steps" in texts
    assert f"Fitted decay: ×{decay.ratio:.2f} per step" in texts
    assert CODEX_12B_LABEL in texts
    assert {"0", "25", "50", "75", "100"} <= set(texts)
    assert {str(level) for level in range(1, 8)} <= set(texts)  # the reference reaches level 7


def test_the_decay_curve_is_dashed_and_distinct_from_the_reference():
    polylines = list(parse(full_chart()).iter(f"{SVG}polyline"))
    styles = {(p.get("stroke"), p.get("stroke-dasharray")) for p in polylines}
    assert styles == {(chart.DECAY_COLOUR, "6 4"), (chart.REFERENCE_COLOUR, "2 3")}


def test_a_known_point_lands_at_its_computed_coordinates():
    svg = chart.pass_rate_svg(points=[level_point(1, 10), level_point(3, 5)], scale="rubric", width=640, height=320)
    circles = list(parse(svg).iter(f"{SVG}circle"))
    plot_width = 640 - chart.MARGIN_LEFT - chart.MARGIN_RIGHT
    plot_height = 320 - chart.MARGIN_TOP - chart.MARGIN_BOTTOM
    # Levels 1..3 take three equal slots; level 1 sits at the middle of the first, rate 0.5 halfway up.
    expected_x = chart.MARGIN_LEFT + plot_width / 6
    expected_y = chart.MARGIN_TOP + plot_height / 2
    assert (float(circles[0].get("cx")), float(circles[0].get("cy"))) == (
        pytest.approx(expected_x, abs=0.1),
        pytest.approx(expected_y, abs=0.1),
    )
    assert "Level 1: 50% of 20 samples" in circles[0].find(f"{SVG}title").text


def test_error_bars_span_the_wilson_interval():
    point = level_point(1, 10)
    svg = chart.pass_rate_svg(points=[point], scale="steps")
    plot_height = 320 - chart.MARGIN_TOP - chart.MARGIN_BOTTOM
    bars = [
        line
        for line in parse(svg).iter(f"{SVG}line")
        if line.get("stroke") == chart.MEASURED_COLOUR and line.get("x1") == line.get("x2")
    ]
    assert len(bars) == 1
    assert float(bars[0].get("y1")) == pytest.approx(chart.MARGIN_TOP + (1 - point.low) * plot_height, abs=0.1)
    assert float(bars[0].get("y2")) == pytest.approx(chart.MARGIN_TOP + (1 - point.high) * plot_height, abs=0.1)


def test_every_text_is_escaped():
    svg = full_chart(title="<script>alert(1)</script>", reference_label='Codex & "friends"')
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == "<script>alert(1)</script>"
    assert 'Codex & "friends"' in [t.text for t in root.iter(f"{SVG}text")]


def test_the_chart_references_nothing_outside_itself():
    svg = full_chart()
    for forbidden in ("<script", "href", "url(", "class=", "<style", "@import"):
        assert forbidden not in svg


def test_no_points_gives_an_svg_saying_there_are_no_results():
    svg = chart.pass_rate_svg(points=[], scale="steps")
    assert svg.startswith("<svg")
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    assert any("no results" in text.lower() for text in texts)


def test_an_unknown_scale_is_refused():
    with pytest.raises(ValueError, match="scale"):
        chart.pass_rate_svg(points=[], scale="log")


def test_the_chart_renders_in_a_weasyprint_pdf_with_its_axis_label_and_legend():
    pdf = weasyprint.HTML(string=f"<html><body><h1>Evidence</h1>{full_chart()}</body></html>").write_pdf()
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Pass rate (%)" in text
    assert "Chained steps" in text
    assert "Fitted decay" in text
    assert CODEX_12B_LABEL in text


def test_a_rubric_chart_states_its_decay_per_level():
    svg = full_chart(scale="rubric", reference=None)
    texts = [t.text for t in parse(svg).iter(f"{SVG}text")]
    assert "Specification level (rubric)" in texts
    assert any(text.startswith("Fitted decay: ×") and text.endswith(" per level") for text in texts)
    assert CODEX_12B_LABEL not in texts
