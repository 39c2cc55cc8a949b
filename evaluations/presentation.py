"""How a run's results are shown: the chart and the labels, shared by pages and exports."""

from django.utils.safestring import mark_safe

from evaluations import chart, outcomes, reference_data
from evaluations.scoring import DecayFit

CHAINED = "chained"
OUTCOME_LABELS = dict(outcomes.CHOICES)


def _decay(summary: dict) -> DecayFit | None:
    decay = summary.get("decay")
    if not decay:
        return None
    return DecayFit(
        p1=decay["p1"], ratio=decay["ratio"], fitted={int(k): v for k, v in decay["fitted"].items()}, note=decay["note"]
    )


def run_chart(run, *, width: int = 640, height: int = 320) -> str:
    """The pass-rate chart of a run as SVG markup (escaped inside; safe to place in a page or a PDF)."""
    summary = run.summary or {}
    points = [
        chart.LevelPoint(level=row["level"], rate=row["pass_at_1"], low=row["low"], high=row["high"], n=row["samples"])
        for row in summary.get("levels", [])
    ]
    chained = run.suite_key == CHAINED
    reference = reference_data.CODEX_12B_CHAINED_STEPS if chained else None
    svg = chart.pass_rate_svg(
        points=points,
        scale="steps" if chained else "rubric",
        decay=_decay(summary),
        reference=reference,
        reference_label=reference_data.CODEX_12B_LABEL if reference else "",
        title=f"{run.ref} · {run.model_name} {run.model_version}".strip(),
        width=width,
        height=height,
    )
    return mark_safe(svg)  # noqa: S308 - chart.pass_rate_svg escapes every text it draws


def failure_rows(summary: dict) -> list[dict]:
    """Per level: how many samples failed in each class, in display order, for the failure table."""
    return [
        {
            "level": row["level"],
            "counts": [row["outcomes"].get(outcome, 0) for outcome in outcomes.FAILURE_CLASSES],
        }
        for row in summary.get("levels", [])
    ]


def failure_headers() -> list[str]:
    return [OUTCOME_LABELS[outcome] for outcome in outcomes.FAILURE_CLASSES]
