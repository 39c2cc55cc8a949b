"""The pass-rate-by-level chart as a self-contained SVG string, the same in the browser and in PDF exports."""

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from evaluations.scoring import DecayFit

# What the x axis counts, by the `scale` a caller names: chained-steps runs and rubric runs share the chart.
SCALES = {"steps": "Chained steps", "rubric": "Specification level (rubric)"}
_DECAY_UNIT = {"steps": "step", "rubric": "level"}
Y_AXIS_LABEL = "Pass rate (%)"
NO_RESULTS_TEXT = "No results to chart yet"

# Plot-area margins in px; labels and ticks live outside it. The tests compute expected coordinates from these.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 32, 44
Y_TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)

# Presentation attributes only (no CSS classes, no external fonts): WeasyPrint and browsers both honour them.
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'
MEASURED_COLOUR = "#1f5fa8"
DECAY_COLOUR = "#c0392b"
REFERENCE_COLOUR = "#6b6b6b"
AXIS_COLOUR = "#333333"
GRID_COLOUR = "#dddddd"


@dataclass(frozen=True)
class LevelPoint:
    """One level's measured pass rate with its 95% Wilson interval and sample count."""

    level: int
    rate: float
    low: float
    high: float
    n: int


@dataclass(frozen=True)
class _Frame:
    """Maps (level, rate) to pixels; levels sit at the centres of equal slots so the ends are not on the axes."""

    width: int
    height: int
    first_level: int
    last_level: int

    @property
    def plot_width(self) -> float:
        return self.width - MARGIN_LEFT - MARGIN_RIGHT

    @property
    def plot_height(self) -> float:
        return self.height - MARGIN_TOP - MARGIN_BOTTOM

    def x(self, level: float) -> float:
        slots = self.last_level - self.first_level + 1
        return MARGIN_LEFT + (level - self.first_level + 0.5) / slots * self.plot_width

    def y(self, rate: float) -> float:
        return MARGIN_TOP + (1.0 - min(1.0, max(0.0, rate))) * self.plot_height


def pass_rate_svg(
    *,
    points: list[LevelPoint],
    scale: str,
    decay: DecayFit | None = None,
    reference: list[tuple[int, float]] | None = None,
    reference_label: str = "",
    title: str = "",
    width: int = 640,
    height: int = 320,
) -> str:
    """Pass rate against level: measured points with error bars, the fitted decay dashed, a reference series.

    `scale` names what the levels count: one of SCALES ("steps" or "rubric").
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, not {scale!r}")
    x_label = SCALES[scale]
    label = title or f"Pass rate by {x_label.lower()}"
    if not points:
        return _svg(label, width, height, [_text(width / 2, height / 2, NO_RESULTS_TEXT, anchor="middle", size=14)])

    reference = reference or []
    levels = [p.level for p in points] + [level for level, _ in reference] + list(decay.fitted if decay else [])
    frame = _Frame(width=width, height=height, first_level=min(levels), last_level=max(levels))
    parts = [
        *_axes(frame, x_label),
        *_reference_series(frame, reference),
        *_decay_curve(frame, decay),
        *_measured(frame, points),
        *_legend(
            frame,
            decay_label=f"Fitted decay: ×{decay.ratio:.2f} per {_DECAY_UNIT[scale]}" if decay else "",
            reference_label=(reference_label or "Reference") if reference else "",
        ),
    ]
    if title:
        parts.append(_text(width / 2, 20, title, anchor="middle", size=14, weight="bold"))
    return _svg(label, width, height, parts)


def _svg(label: str, width: int, height: int, parts: Iterable[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    size: int = 11,
    weight: str = "normal",
    fill: str = AXIS_COLOUR,
    rotate: bool = False,
) -> str:
    transform = f' transform="rotate(-90 {x:.1f} {y:.1f})"' if rotate else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" {FONT} font-size="{size}" font-weight="{weight}" fill="{fill}" '
        f'text-anchor="{anchor}"{transform}>{escape(content)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str, width: float = 1, dash: str = "") -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" '
        f'stroke-width="{width}"{dash_attr}/>'
    )


def _axes(frame: _Frame, x_label: str) -> list[str]:
    left, right = MARGIN_LEFT, MARGIN_LEFT + frame.plot_width
    top, bottom = MARGIN_TOP, MARGIN_TOP + frame.plot_height
    parts = []
    for tick in Y_TICKS:
        y = frame.y(tick)
        parts.append(_line(left, y, right, y, stroke=GRID_COLOUR))
        parts.append(_line(left - 4, y, left, y, stroke=AXIS_COLOUR))
        parts.append(_text(left - 7, y + 4, f"{tick * 100:.0f}", anchor="end"))
    for level in range(frame.first_level, frame.last_level + 1):
        x = frame.x(level)
        parts.append(_line(x, bottom, x, bottom + 4, stroke=AXIS_COLOUR))
        parts.append(_text(x, bottom + 16, str(level), anchor="middle"))
    parts.append(_line(left, top, left, bottom, stroke=AXIS_COLOUR))
    parts.append(_line(left, bottom, right, bottom, stroke=AXIS_COLOUR))
    parts.append(_text(left + frame.plot_width / 2, frame.height - 8, x_label, anchor="middle", size=12))
    parts.append(_text(16, top + frame.plot_height / 2, Y_AXIS_LABEL, anchor="middle", size=12, rotate=True))
    return parts


def _measured(frame: _Frame, points: list[LevelPoint]) -> list[str]:
    parts = []
    for point in sorted(points, key=lambda p: p.level):
        x = frame.x(point.level)
        y_low, y_high = frame.y(point.low), frame.y(point.high)
        parts.append(_line(x, y_low, x, y_high, stroke=MEASURED_COLOUR, width=1.5))
        parts.append(_line(x - 4, y_low, x + 4, y_low, stroke=MEASURED_COLOUR, width=1.5))
        parts.append(_line(x - 4, y_high, x + 4, y_high, stroke=MEASURED_COLOUR, width=1.5))
        tooltip = (
            f"Level {point.level}: {point.rate:.0%} of {point.n} samples "
            f"(95% interval {point.low:.0%}–{point.high:.0%})"
        )
        parts.append(
            f'<circle cx="{x:.1f}" cy="{frame.y(point.rate):.1f}" r="4" fill="{MEASURED_COLOUR}">'
            f"<title>{escape(tooltip)}</title></circle>"
        )
    return parts


def _decay_curve(frame: _Frame, decay: DecayFit | None) -> list[str]:
    if decay is None or not decay.fitted:
        return []
    first, last = min(decay.fitted), max(decay.fitted)
    # Drawn from the formula at tenth-steps, not joined from the fitted integers, so it reads as a curve.
    steps = [first + i / 10 for i in range((last - first) * 10 + 1)]
    coordinates = " ".join(
        f"{frame.x(level):.1f},{frame.y(decay.p1 * decay.ratio ** (level - 1)):.1f}" for level in steps
    )
    return [
        f'<polyline points="{coordinates}" fill="none" stroke="{DECAY_COLOUR}" stroke-width="1.5" '
        f'stroke-dasharray="6 4"/>'
    ]


def _reference_series(frame: _Frame, reference: list[tuple[int, float]]) -> list[str]:
    if not reference:
        return []
    ordered = sorted(reference)
    coordinates = " ".join(f"{frame.x(level):.1f},{frame.y(rate):.1f}" for level, rate in ordered)
    parts = [
        f'<polyline points="{coordinates}" fill="none" stroke="{REFERENCE_COLOUR}" stroke-width="1" '
        f'stroke-dasharray="2 3"/>'
    ]
    for level, rate in ordered:
        x, y = frame.x(level), frame.y(rate)
        parts.append(
            f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6" fill="#ffffff" '
            f'stroke="{REFERENCE_COLOUR}" stroke-width="1.2"/>'
        )
    return parts


def _legend(frame: _Frame, *, decay_label: str, reference_label: str) -> list[str]:
    entries = [("measured", "Measured pass rate (95% interval)")]
    if decay_label:
        entries.append(("decay", decay_label))
    if reference_label:
        entries.append(("reference", reference_label))
    right = MARGIN_LEFT + frame.plot_width
    x = right - 250
    parts = []
    for row, (kind, label) in enumerate(entries):
        y = MARGIN_TOP + 14 + row * 16
        if kind == "measured":
            parts.append(f'<circle cx="{x + 10:.1f}" cy="{y - 4:.1f}" r="4" fill="{MEASURED_COLOUR}"/>')
        elif kind == "decay":
            parts.append(_line(x, y - 4, x + 20, y - 4, stroke=DECAY_COLOUR, width=1.5, dash="6 4"))
        else:
            parts.append(_line(x, y - 4, x + 20, y - 4, stroke=REFERENCE_COLOUR, dash="2 3"))
            parts.append(
                f'<rect x="{x + 7:.1f}" y="{y - 7:.1f}" width="6" height="6" fill="#ffffff" '
                f'stroke="{REFERENCE_COLOUR}" stroke-width="1.2"/>'
            )
        parts.append(_text(x + 26, y, label))
    return parts
