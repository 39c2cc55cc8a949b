"""The risk heat map of an assessment: inherent and residual side by side, counts per matrix cell."""

from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.urls import reverse

from assessments import permissions, selectors, workflow
from assessments.views.common import browser_view, wants_fragment
from hazards import scoring
from hazards import selectors as hazard_selectors


@dataclass(frozen=True)
class Cell:
    stage: str
    likelihood: int
    likelihood_name: str
    severity: int
    severity_name: str
    level: scoring.Level
    count: int

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


def grids(matrix: dict, counts: dict[str, dict[tuple[int, int], int]]) -> list[Grid]:
    result = []
    for stage, title in (("inherent", "Inherent risk"), ("residual", "Residual risk")):
        stage_counts = counts.get(stage, {})
        rows = []
        for severity in reversed(matrix["severity"]):
            cells = [
                Cell(
                    stage=stage,
                    likelihood=likelihood["value"],
                    likelihood_name=likelihood["name"],
                    severity=severity["value"],
                    severity_name=severity["name"],
                    level=scoring.level_for(matrix, likelihood["value"], severity["value"]),
                    count=stage_counts.get((likelihood["value"], severity["value"]), 0),
                )
                for likelihood in matrix["likelihood"]
            ]
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
        "grids": grids(assessment.matrix, counts),
        "levels": scoring.levels(assessment.matrix),
        "selected": selected,
    }


@browser_view
def heatmap(request, assessment_id: int):
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if not wants_fragment(request):
        return redirect(f"{reverse('assessment_detail', args=[assessment.pk])}#heatmap")
    return render(request, "hazards/partials/heatmap.html", heatmap_context(request, assessment))
