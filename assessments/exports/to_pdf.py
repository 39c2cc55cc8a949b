"""The PDF report, laid out by WeasyPrint from a Django template with the heat maps as inline SVG.

WeasyPrint keeps every laid-out page in memory until it writes, and its time grows with the pages a
single flow spans; one 800-page document of a 2,000-scenario register needs gigabytes. So the report is
laid out in parts (the front matter, chunks of scenarios, chunks of mitigations, the closing pages), each
in its own forked process, as many at once as there are CPUs (`PDF_PROCESSES`), each written to its own
file; the files are then joined with pypdf, which also numbers the pages and draws the running title, laid
out once as a part of its own (pdf_join.py). Memory is bounded per process by the largest part, not by
the register.

The register and the mitigations are dense on purpose: WeasyPrint's cost grows with the number of boxes,
so each scenario is one block of lines (`white-space: pre-line`, the template's line breaks are the
PDF's) with no element inside, not a nest of headings, paragraphs and lists: the title line is bold
through `::first-line` and the residual level's colour is the block's left edge (see the template).

Nothing is fetched while rendering: the URL fetcher refuses every URL, so content typed by users can
never make the worker load a remote or local file.
"""

import datetime
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from assessments.exports import evidence, processes
from assessments.exports.heatmap import heat_map
from assessments.exports.labels import label, level_colours, level_name, mitigations_by_scenario
from hazards import scoring

EXTENSION = "pdf"
CONTENT_TYPE = "application/pdf"
TEMPLATE = "assessments/exports/report.html"
# Parts small enough to keep a process's peak low and to share out among the CPUs, large enough that
# each part's fixed cost (a process, the style sheet, the fonts, the join) stays small.
SCENARIOS_PER_PART = 200
MITIGATIONS_PER_PART = 800
TABLE_CHUNK = 40  # rows per acceptance table


class FetchRefused(ValueError):
    pass


def refuse_fetch(url: str, *args, **kwargs):
    raise FetchRefused(f"Exports never load external resources ({url[:80]}).")


def css_string(text: str) -> str:
    """A CSS string literal for any text: quotes, backslashes, markup and control characters escaped."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in "\\\"<>&'" or ord(char) < 32 or ord(char) == 127 else char for char in text
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - every character that could end the string is escaped


def _rating(matrix: dict, rating: dict) -> dict:
    rank, level = next(
        ((rank, lvl) for rank, lvl in enumerate(matrix["levels"], start=1) if lvl["key"] == rating["level"]), (0, None)
    )
    axes = []
    if rating["likelihood"]:
        axes.append(f"L{rating['likelihood']} {scoring.axis_name(matrix, 'likelihood', rating['likelihood'])}")
    if rating["severity"]:
        axes.append(f"S{rating['severity']} {scoring.axis_name(matrix, 'severity', rating['severity'])}")
    return {
        "rank": rank,  # picks the level's colour from a class set once per part (.residual-<rank>)
        "axes": " × ".join(axes),  # "L4 Probable × S3 Moderate", or the one axis rated so far
        "level": level["name"] if level else "Unrated",
    }


def _when(iso: str | None) -> str:
    """ "2026-12-01 10:42 UTC" from an ISO timestamp (exports state times in UTC)."""
    if not iso:
        return ""
    moment = datetime.datetime.fromisoformat(iso).astimezone(datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _scenario_view(matrix: dict, addressed: dict, s: dict) -> dict:
    return {
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
                "severity_name": scoring.axis_name(matrix, "severity", c["severity"]),
            }
            for c in s["consequences"]
        ],
    }


def _mitigation_view(m: dict) -> dict:
    return {**m, "kind_label": label("kind", m["kind"]), "status_label": label("mitigation_status", m["status"])}


def context(document: dict) -> dict:
    """What every part of the report shares."""
    matrix = document["matrix"]
    a = document["assessment"]
    return {
        "doc": document,
        "a": a,
        "running_title": css_string(f"{document['project']['name']} · {a['title']} · revision {a['revision']}"),
        "status_label": label("status", a["status"]),
        "channel_label": label("deployment_channel", a["deployment_channel"]),
        "exported": _when(document["exported_at"]),
        "submitted": _when(a["submitted_at"]),
        "approved": _when(a["approved_at"]),
        "approvals": [{**ap, "when": _when(ap["approved_at"])} for ap in document["approvals"]],
        "signed": document["source"] == "snapshot",
        "scenario_count": len(document["scenarios"]),
        "heat_maps": [heat_map(document, "inherent"), heat_map(document, "residual")],
        "levels": level_colours(matrix),
        "signoff_level": level_name(matrix, matrix["signoff_level"]),
    }


def parts(document: dict) -> list[dict]:
    """The parts of the report in order, each with the context only it needs."""
    matrix = document["matrix"]
    addressed = mitigations_by_scenario(document)
    result: list[dict] = [{"part": "front"}]
    scenario_chunks = _chunks(document["scenarios"], SCENARIOS_PER_PART) or [[]]
    for index, chunk in enumerate(scenario_chunks):
        # The views are built in the part's own process, which lays them out.
        result.append(
            {
                "part": "register",
                "first_chunk": index == 0,
                "scenarios": lambda chunk=chunk: [_scenario_view(matrix, addressed, s) for s in chunk],
            }
        )
    mitigation_parts = _chunks(document["mitigations"], MITIGATIONS_PER_PART) or [[]]
    for index, chunk in enumerate(mitigation_parts):
        result.append(
            {
                "part": "mitigations",
                "first_chunk": index == 0,
                "mitigations": lambda chunk=chunk: [_mitigation_view(m) for m in chunk],
            }
        )
    if document.get("evidence"):
        charts = evidence.charts(document["evidence"])
        runs = [{**e, "chart": charts[e["run_ref"]]} for e in document["evidence"]]
        result.append({"part": "evidence", "evidence_runs": runs})
    acceptances = [{"scenario": s["ref"], **a} for s in document["scenarios"] for a in s["acceptances"]]
    if document.get("attachments"):
        result.append({"part": "attachments", "attachment_chunks": _chunks(document["attachments"], TABLE_CHUNK)})
    result.append({"part": "closing", "acceptance_chunks": _chunks(acceptances, TABLE_CHUNK)})
    return result


def _render(shared: dict, part: dict, path: Path) -> int:
    """Lay out one part and write it to `path`; returns its number of pages."""
    # Imported here: WeasyPrint takes about a second to load and only PDF exports need it.
    import weasyprint

    extra = {key: value() if callable(value) else value for key, value in part.items()}
    html = render_to_string(TEMPLATE, {**shared, **extra})
    rendered = weasyprint.HTML(string=html, url_fetcher=refuse_fetch).render()
    rendered.write_pdf(path)
    return len(rendered.pages)


def write(document: dict, path: Path, progress: Callable[[int], None]) -> None:
    # Imported here, not with the module: web and API processes import the export service but never
    # write a PDF, and WeasyPrint and pypdf add about 40 MB. WeasyPrint is loaded before the parts'
    # processes are forked, so that each starts with it.
    import weasyprint  # noqa: F401

    from assessments.exports import pdf_join

    shared = context(document)
    todo = [*parts(document), {"part": "title"}]
    with tempfile.TemporaryDirectory(prefix="hazlog-pdf-") as tmp:
        files = [Path(tmp) / f"part-{index:04d}.pdf" for index in range(len(todo))]
        processes.run(
            lambda index: _render(shared, todo[index], files[index]),
            range(len(todo)),
            processes=settings.HAZLOG_PDF_PROCESSES or processes.default_count(),
            done=lambda count: progress(90 * count / len(todo)),
        )
        a = document["assessment"]
        pdf_join.join(files[:-1], path, running_title=files[-1], title=f"{a['title']} — revision {a['revision']}")
    progress(100)
