"""The risk heat map of an assessment: inherent and residual side by side, counts per matrix cell."""

from dataclasses import dataclass, field

from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from assessments import page_cache, permissions, selectors, workflow
from assessments.views.common import browser_view, wants_fragment
from hazards import page_keys, scoring
from hazards import selectors as hazard_selectors
from hazards.templatetags.risk import fill_svg, ink

# One cell's link, built in Python: as template nodes, the 50 cells' links were most of the fragment's time.
CELL_LINK = (
    '<a class="cell {ink}{zero}{selected}" href="{page_url}?{query}#register" hx-get="{register_url}?{query}"'
    ' hx-target="#register" hx-swap="outerHTML" hx-push-url="true"'
    ' aria-label="{title}: likelihood {likelihood}, severity {severity}, {level}: {count} scenario{plural}.'
    ' Show them in the register." data-count="{count}">{fill}{count}</a>'
)


SELECTION = ("stage", "likelihood", "severity")  # the query string of a selected cell


@dataclass(frozen=True)
class Cell:
    stage: str
    likelihood: int
    likelihood_name: str
    severity: int
    severity_name: str
    level: scoring.Level
    count: int
    link: str = field(default="", compare=False)  # the cell's <a>, when grids() is given the page's urls

    @property
    def key(self) -> str:
        return f"{self.stage}:{self.likelihood}:{self.severity}"


@dataclass(frozen=True)
class Grid:
    stage: str
    title: str
    total: int
    likelihoods: list[dict]
    rows: list[tuple[dict, list[Cell]]]  # highest severity first, as risk managers draw it


def grids(
    matrix: dict,
    counts: dict[str, dict[tuple[int, int], int]],
    *,
    page_url: str = "",
    register_url: str = "",
    selected: str = "",
) -> list[Grid]:
    levels = {level.key: level for level in scoring.levels(matrix)}
    paint = {key: (ink(level.text_colour), fill_svg(level.colour)) for key, level in levels.items()}
    result = []
    for stage, title in (("inherent", "Inherent risk"), ("residual", "Residual risk")):
        stage_counts = counts.get(stage, {})
        rows = []
        for severity in reversed(matrix["severity"]):
            cells = []
            for likelihood in matrix["likelihood"]:
                level_key = matrix["grid"][severity["value"] - 1][likelihood["value"] - 1]
                count = stage_counts.get((likelihood["value"], severity["value"]), 0)
                link = ""
                if page_url:
                    ink_class, fill = paint[level_key]
                    link = format_html(
                        CELL_LINK,
                        ink=ink_class,
                        zero="" if count else " zero",
                        selected=" selected"
                        if selected == f"{stage}:{likelihood['value']}:{severity['value']}"
                        else "",
                        page_url=page_url,
                        register_url=register_url,
                        query=f"stage={stage}&likelihood={likelihood['value']}&severity={severity['value']}",
                        title=title,
                        likelihood=likelihood["name"],
                        severity=severity["name"],
                        level=levels[level_key].name,
                        count=count,
                        plural="" if count == 1 else "s",
                        fill=fill,
                    )
                cell = Cell(
                    stage=stage,
                    likelihood=likelihood["value"],
                    likelihood_name=likelihood["name"],
                    severity=severity["value"],
                    severity_name=severity["name"],
                    level=levels[level_key],
                    count=count,
                    link=link,
                )
                cells.append(cell)
            rows.append((severity, cells))
        result.append(Grid(stage, title, sum(stage_counts.values()), matrix["likelihood"], rows))
    return result


def heatmap_context(request, assessment) -> dict:
    counts = hazard_selectors.heatmap_counts(user=request.user, assessment=assessment)
    selected = f"{request.GET.get('stage', 'residual')}:{request.GET.get('likelihood')}:{request.GET.get('severity')}"
    return {
        "assessment": assessment,
        "can_change_matrix": permissions.can_manage(request.user, assessment.project)
        and workflow.is_editable(assessment.status),
        "grids": grids(
            assessment.matrix,
            counts,
            page_url=reverse("assessment_detail", args=[assessment.pk]),
            register_url=reverse("register", args=[assessment.pk]),
            selected=selected,
        ),
        "levels": scoring.levels(assessment.matrix),
        "selected": selected,
    }


@browser_view
def heatmap(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if not wants_fragment(request):
        return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#heatmap")
    return HttpResponse(heatmap_html(request, assessment))


def heatmap_html(request, assessment) -> str:
    """The heat map fragment, from the page cache when neither the content nor what the user may do changed."""
    cache_key = page_keys.heatmap(
        user=request.user,
        assessment=assessment,
        can_manage=permissions.can_manage(request.user, assessment.project),
        query_string=request.GET.urlencode(),
    )
    html = page_cache.get(cache_key)
    if html is None:
        context = heatmap_context(request, assessment)
        html = render_to_string("hazards/partials/heatmap.html", context, request)
        cells = {cell.key for grid in context["grids"] for _, row in grid.rows for cell in row}
        # Only the map itself or one of its cells selected: other query strings are answered fresh.
        if not request.GET or (page_cache.only_known(request.GET, SELECTION) and context["selected"] in cells):
            page_cache.put(cache_key, html)
    return html
