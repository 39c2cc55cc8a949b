"""The PDF report, laid out by WeasyPrint from a Django template with the heat maps as inline SVG.

Scenarios are laid out as one block each and long tables are cut into chunks: WeasyPrint's time grows
with the number of pages a single table spans. Nothing is fetched while rendering: the URL fetcher
refuses every URL, so content typed by users can never make the worker load a remote or local file.
"""

import datetime
from collections.abc import Callable
from pathlib import Path

from django.template.loader import render_to_string

from assessments.exports.heatmap import heat_map
from assessments.exports.labels import axis_name, label, level_name, mitigations_by_scenario

EXTENSION = "pdf"
CONTENT_TYPE = "application/pdf"
TABLE_CHUNK = 40


class FetchRefused(ValueError):
    pass


def refuse_fetch(url: str, *args, **kwargs):
    raise FetchRefused(f"Exports never load external resources ({url[:80]}).")


def _rating(matrix: dict, rating: dict) -> dict:
    level = next((lvl for lvl in matrix["levels"] if lvl["key"] == rating["level"]), None)
    return {
        "likelihood": rating["likelihood"],
        "likelihood_name": axis_name(matrix, "likelihood", rating["likelihood"]),
        "severity": rating["severity"],
        "severity_name": axis_name(matrix, "severity", rating["severity"]),
        "level": level["name"] if level else "Unrated",
        "colour": level.get("colour", "#cccccc") if level else "#ffffff",
        "text_colour": level.get("text_colour", "#1f2328") if level else "#1f2328",
    }


def _when(iso: str | None) -> str:
    """ "2026-12-01 10:42 UTC" from an ISO timestamp (exports state times in UTC)."""
    if not iso:
        return ""
    moment = datetime.datetime.fromisoformat(iso).astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _chunks(items: list, size: int = TABLE_CHUNK) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def context(document: dict) -> dict:
    matrix = document["matrix"]
    addressed = mitigations_by_scenario(document)
    scenarios = [
        {
            **s,
            "category_label": label("category", s["category"]),
            "treatment_label": label("treatment", s["treatment"]),
            "inherent_view": _rating(matrix, s["inherent"]),
            "residual_view": _rating(matrix, s["residual"]),
            "mitigation_refs": addressed.get(s["ref"], []),
            "consequence_views": [
                {
                    **c,
                    "harm_label": label("harm_type", c["harm_type"]),
                    "party_label": label("affected_party", c["affected_party"]),
                    "severity_name": axis_name(matrix, "severity", c["severity"]),
                }
                for c in s["consequences"]
            ],
        }
        for s in document["scenarios"]
    ]
    mitigations = [
        {**m, "kind_label": label("kind", m["kind"]), "status_label": label("mitigation_status", m["status"])}
        for m in document["mitigations"]
    ]
    acceptances = [{"scenario": s["ref"], **a} for s in document["scenarios"] for a in s["acceptances"]]
    a = document["assessment"]
    return {
        "doc": document,
        "a": a,
        "status_label": label("status", a["status"]),
        "exported": _when(document["exported_at"]),
        "submitted": _when(a["submitted_at"]),
        "approved": _when(a["approved_at"]),
        "approvals": [{**ap, "when": _when(ap["approved_at"])} for ap in document["approvals"]],
        "channel_label": label("deployment_channel", a["deployment_channel"]),
        "signed": document["source"] == "snapshot",
        "heat_maps": [heat_map(document, "inherent"), heat_map(document, "residual")],
        "levels": matrix["levels"],
        "signoff_level": level_name(matrix, matrix["signoff_level"]),
        "scenarios": scenarios,
        "mitigation_chunks": _chunks(mitigations),
        "acceptance_chunks": _chunks(acceptances),
    }


def write(document: dict, path: Path, progress: Callable[[int], None]) -> None:
    # Imported here: WeasyPrint takes about a second to load and only PDF exports need it.
    import weasyprint

    html = render_to_string("assessments/exports/report.html", context(document))
    progress(25)
    rendered = weasyprint.HTML(string=html, url_fetcher=refuse_fetch).render()
    progress(80)
    rendered.write_pdf(str(path))
    progress(100)
