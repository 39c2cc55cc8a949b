"""The evidence section of an export: every evaluation run the assessment cites, with its results and chart.

Scenarios carry their citations in the signed content (snapshot.py); this section adds what a reader of
the export needs to judge them: each run's figures per level, fitted decay and scanner findings, read
from the runs themselves (completed runs never change; their results hash is in the signed content).
"""

from typing import Any

from evaluations import presentation
from evaluations.models import EvaluationRun


def section(scenarios: list[dict]) -> list[dict[str, Any]]:
    """One entry per cited run, in run order; one query however many scenarios cite runs."""
    cited_by: dict[str, list[str]] = {}
    for scenario in scenarios:
        for item in scenario.get("evidence", []):
            cited_by.setdefault(item["run"], []).append(scenario["ref"])
    if not cited_by:
        return []
    runs = EvaluationRun.objects.filter(uid__in=list(cited_by)).order_by("number")
    return [
        {
            "run": str(run.uid),
            "run_ref": run.ref,
            "model_name": run.model_name,
            "model_version": run.model_version,
            "suite": run.suite_key,
            "suite_version": run.suite_version,
            "seed": run.seed,
            "tasks_per_level": run.tasks_per_level,
            "samples_per_task": run.samples_per_task,
            "demo_data": run.is_demo,
            "status": run.status,
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
            "results_sha256": run.results_sha256,
            "summary": run.summary,
            "cited_by": cited_by[str(run.uid)],
        }
        for run in runs
    ]


def charts(entries: list[dict]) -> dict[str, str]:
    """SVG chart per run ref, for the PDF (the same chart the run's page shows)."""
    runs = {
        e["run_ref"]: EvaluationRun(
            number=int(e["run_ref"].split("-")[1]),
            model_name=e["model_name"],
            model_version=e["model_version"],
            suite_key=e["suite"],
            summary=e["summary"],
        )
        for e in entries
    }
    return {ref: presentation.run_chart(run, width=520, height=260) for ref, run in runs.items()}


LEVEL_HEADER = [
    "Run",
    "Model",
    "Model version",
    "Suite",
    "Suite version",
    "Seed",
    "Demo data",
    "Level",
    "Tasks",
    "Samples",
    "pass@1",
    "95% low",
    "95% high",
    "Share with findings",
    "Cited by",
]


def level_rows(entries: list[dict]):
    """One row per (cited run, level), for the XLSX Evidence sheet and its chart."""
    for e in entries:
        for row in e["summary"].get("levels", []):
            yield [
                e["run_ref"],
                e["model_name"],
                e["model_version"],
                e["suite"],
                e["suite_version"],
                e["seed"],
                "yes" if e["demo_data"] else "no",
                row["level"],
                row["tasks"],
                row["samples"],
                row["pass_at_1"],
                row["low"],
                row["high"],
                row["findings_share"],
                ", ".join(e["cited_by"]),
            ]
