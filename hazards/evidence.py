"""Reading a scenario's evidence: each cited run with its figures, whether it is stale, and the suggestion."""

from dataclasses import dataclass

from evaluations import freshness, likelihood, results
from evaluations.models import EvaluationRun, RunStatus
from evaluations.suites.base import CHAINED_SCALE
from hazards.models import EvidenceCitation


@dataclass(frozen=True)
class Evidence:
    citation: EvidenceCitation
    stale: list[str]
    suggestion: likelihood.Suggestion
    level_row: dict | None  # the run's figures at the level the suggestion read

    @property
    def run(self):
        return self.citation.run


def context_for(assessment, scale: str) -> likelihood.Context:
    """The assessment's deployment context on the run's scale (chained steps or specification level)."""
    typical = assessment.typical_chain_steps if scale == CHAINED_SCALE else assessment.typical_spec_level
    return likelihood.Context(
        typical_level=typical,
        novice_users=assessment.user_expertise == "novice",
        weak_review=assessment.review_practice == "weak",
    )


def suggestion_for(citation: EvidenceCitation, assessment) -> likelihood.Suggestion:
    run = citation.run
    if run.status != "completed":
        return likelihood.Suggestion(None, missing=f"{run.ref} has no results yet.")
    scale = run.summary.get("scale", "level")
    return likelihood.suggest(
        relation=citation.relation,
        rates=results.rates(run.summary),
        threshold=assessment.project.reliability_threshold / 100,
        axis_size=len(assessment.matrix["likelihood"]),
        scale=scale,
        needed_level=citation.level,
        context=context_for(assessment, scale),
    )


def evidence_for(citation: EvidenceCitation, assessment) -> Evidence:
    suggestion = suggestion_for(citation, assessment)
    measured = suggestion.figures.get("measured_level")
    return Evidence(
        citation=citation,
        stale=freshness.stale_reasons(citation.run, assessment),
        suggestion=suggestion,
        level_row=results.level_row(citation.run.summary, measured) if measured else None,
    )


def scenario_evidence(scenario, assessment) -> list[Evidence]:
    citations = scenario.citations.select_related("run", "created_by").order_by("pk")
    return [evidence_for(citation, assessment) for citation in citations]


def citable_runs(assessment) -> list:
    """The project's completed runs, newest first: what a scenario may cite."""
    return list(
        EvaluationRun.objects.filter(project_id=assessment.project_id, status=RunStatus.COMPLETED).order_by("-number")
    )
