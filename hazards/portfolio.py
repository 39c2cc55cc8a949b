"""The portfolio: every project the user can see at once, as a manager reads it.

Assessments still being tracked (not superseded or archived) by status and date, overdue mitigations,
risk acceptances expiring soon, the residual heat map summed over all of them, and the top residual risks.
Assessments may use different matrices, so the heat map places each rating on a common 5 × 5 by its
position on its own axis (a 4-level severity's 4 is the 5-point scale's 5), drawn in the default matrix's
colours; a cell filters the list of risks to the ratings it holds. Every read is one query whatever the
number of projects and scenarios, and the per-assessment figures come from a cache that the assessment's
next content write makes obsolete (hazards.portfolio_summaries).
"""

import datetime
import heapq
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from assessments import workflow
from assessments.models import Assessment, Status
from hazards import portfolio_summaries as summaries
from hazards import scoring
from hazards.models import HazardScenario, Mitigation, RiskAcceptance
from hazards.selectors import visible_to

EXPIRING_WITHIN_DAYS = 30
TOP_RISKS = 10
LIST_LIMIT = 50
COMMON_MATRIX = scoring.preset(scoring.DEFAULT_PRESET)
COMMON_SIZE = 5


@dataclass(frozen=True)
class PortfolioFilters:
    project: int | None = None
    owner: int | None = None  # scenario owner; for mitigations, their own owner
    category: str = ""  # hazard area
    likelihood: int | None = None  # a cell of the common 5 × 5 (one alone: its column or row)
    severity: int | None = None


@dataclass
class Portfolio:
    today: datetime.date
    assessments: list[Assessment]
    status_counts: dict[str, int]  # in the workflow's order
    overdue_mitigations: list[Mitigation]
    overdue_mitigation_count: int
    expiring_acceptances: list[RiskAcceptance]
    heatmap: dict[tuple[int, int], int]  # (likelihood, severity) on the common 5 × 5 → scenarios
    top_risks: list[HazardScenario]
    filters: PortfolioFilters

    def people(self) -> list[User | None]:
        """Whom the lists name: the risks' and mitigations' owners and who accepted each risk."""
        return [
            *(s.owner for s in self.top_risks),
            *(m.owner for m in self.overdue_mitigations),
            *(r.accepted_by for r in self.expiring_acceptances),
        ]


def on_common_axis(value: int, size: int) -> int:
    """A level of an axis of `size` levels on the 5-point scale, keeping both ends."""
    if size <= 1:
        return 1
    return 1 + int((value - 1) * (COMMON_SIZE - 1) / (size - 1) + 0.5)


def _current(user: User, f: PortfolioFilters) -> QuerySet[Assessment]:
    # One membership per user and project (a unique constraint), so the join yields each assessment once.
    assessments = Assessment.objects.filter(visible_to(user, prefix=""), status__in=workflow.TRACKING_STATUSES)
    return assessments.filter(project_id=f.project) if f.project else assessments


def _scenario_filter(f: PortfolioFilters, prefix: str = "") -> Q:
    q = Q()
    if f.owner is not None:
        q &= Q(**{f"{prefix}owner_id": f.owner})
    if f.category:
        q &= Q(**{f"{prefix}category": f.category})
    return q


def _cell_filter(assessments: list[Assessment], f: PortfolioFilters) -> Q:
    """Scenarios whose residual rating falls in the chosen common cell (or its column or row, when only the
    likelihood or the severity is given), whatever their matrix."""
    if f.likelihood is None and f.severity is None:
        return Q()
    by_sizes: dict[tuple[int, int], list[int]] = defaultdict(list)
    for a in assessments:
        by_sizes[(scoring.axis_size(a.matrix, "likelihood"), scoring.axis_size(a.matrix, "severity"))].append(a.pk)
    q = Q(pk__in=[])
    for (l_size, s_size), ids in by_sizes.items():
        cell = Q(assessment_id__in=ids)
        if f.likelihood is not None:
            cell &= Q(
                residual_likelihood__in=[v for v in range(1, l_size + 1) if on_common_axis(v, l_size) == f.likelihood]
            )
        if f.severity is not None:
            cell &= Q(
                residual_severity__in=[v for v in range(1, s_size + 1) if on_common_axis(v, s_size) == f.severity]
            )
        q |= cell
    return q


def scenarios(*, user: User, f: PortfolioFilters, assessments: list[Assessment]) -> QuerySet[HazardScenario]:
    """The scenarios of the portfolio under the filters, worst residual risk first (for the list and CSV)."""
    return (
        HazardScenario.objects.filter(assessment__in=[a.pk for a in assessments])
        .filter(_scenario_filter(f), _cell_filter(assessments, f))
        .select_related("assessment__project", "owner")
        .order_by(
            F("residual_rank").desc(),
            F("residual_severity").desc(nulls_last=True),
            F("residual_likelihood").desc(nulls_last=True),
            "assessment_id",
            "number",
        )
    )


def current_assessments(*, user: User, f: PortfolioFilters) -> list[Assessment]:
    """Assessments still tracked, soonest due first."""
    return list(
        _current(user, f)
        .select_related("project")
        # The project's own matrix and import settings are large JSON that no portfolio row shows.
        .defer("project__matrix", "project__import_mapping", "project__import_values")
        .order_by(F("due_date").asc(nulls_last=True), F("next_review_date").asc(nulls_last=True), "title", "pk")
    )


def level_name(matrix: dict, level_key: str) -> str:
    return scoring.level_by_key(matrix, level_key).name if level_key else ""


def _overdue_filter(f: PortfolioFilters) -> Q:
    q = Q(owner_id=f.owner) if f.owner is not None else Q()
    return q & summaries.of_category(f.category) if f.category else q


def portfolio(*, user: User, f: PortfolioFilters, today: datetime.date | None = None) -> Portfolio:
    today = today or timezone.localdate()
    assessments = current_assessments(user=user, f=f)
    query = summaries.Query(
        scenario_filter=_scenario_filter(f),
        cell_filter=_cell_filter(assessments, f),
        mitigation_filter=_overdue_filter(f),
        today=today,
        top=TOP_RISKS,
        listed=LIST_LIMIT,
    )
    figures = summaries.summaries(assessments=assessments, filters=f, query=query)
    status_counts = {status: 0 for status in Status.values if status in workflow.TRACKING_STATUSES}
    heatmap: dict[tuple[int, int], int] = defaultdict(int)
    for a in assessments:
        status_counts[a.status] += 1
        summary = figures[a.pk]
        a.scenario_count = summary.risks.scenario_count
        l_size, s_size = scoring.axis_size(a.matrix, "likelihood"), scoring.axis_size(a.matrix, "severity")
        for (likelihood, severity), n in summary.risks.cells.items():
            heatmap[(on_common_axis(likelihood, l_size), on_common_axis(severity, s_size))] += n
    # Each summary's lists are sorted: merging them lazily reads only as far as the page shows.
    top = heapq.merge(
        *(((summaries.risk_sort_key(a.pk, e), e[-1]) for e in figures[a.pk].risks.top) for a in assessments)
    )
    overdue = heapq.merge(*((((due, a.pk, n), pk) for due, n, pk in figures[a.pk].overdue.first) for a in assessments))
    top_ids = [pk for _, pk in itertools.islice(top, TOP_RISKS)]
    overdue_ids = [pk for _, pk in itertools.islice(overdue, LIST_LIMIT)]
    # The rows shown are read fresh (names, titles, owners), in the order the figures gave; their assessments
    # are the ones already read.
    by_id = {a.pk: a for a in assessments}
    scenario_rows = HazardScenario.objects.select_related("owner").in_bulk(top_ids)
    mitigation_rows = Mitigation.objects.select_related("owner").in_bulk(overdue_ids)
    for row in [*scenario_rows.values(), *mitigation_rows.values()]:
        row.assessment = by_id[row.assessment_id]
    expiring = list(
        RiskAcceptance.objects.valid(today)
        .filter(
            scenario__assessment__in=[a.pk for a in assessments],
            expires_on__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS),
        )
        .filter(_scenario_filter(f, "scenario__"))
        .select_related("scenario__assessment__project", "accepted_by")
        .order_by("expires_on", "pk")[:LIST_LIMIT]
    )
    return Portfolio(
        today=today,
        assessments=assessments,
        status_counts=status_counts,
        overdue_mitigations=[mitigation_rows[pk] for pk in overdue_ids if pk in mitigation_rows],
        overdue_mitigation_count=sum(figures[a.pk].overdue.count for a in assessments),
        expiring_acceptances=expiring,
        heatmap=dict(heatmap),
        top_risks=[scenario_rows[pk] for pk in top_ids if pk in scenario_rows],
        filters=f,
    )


def common_grid(heatmap: dict[tuple[int, int], int]) -> list[tuple[dict, list[dict]]]:
    """The common 5 × 5 as rows (highest severity first) of cells with their level and count."""
    levels = {level.key: level for level in scoring.levels(COMMON_MATRIX)}
    rows = []
    for severity in reversed(COMMON_MATRIX["severity"]):
        cells = [
            {
                "likelihood": likelihood["value"],
                "likelihood_name": likelihood["name"],
                "severity": severity["value"],
                "level": levels[COMMON_MATRIX["grid"][severity["value"] - 1][likelihood["value"] - 1]],
                "count": heatmap.get((likelihood["value"], severity["value"]), 0),
            }
            for likelihood in COMMON_MATRIX["likelihood"]
        ]
        rows.append((severity, cells))
    return rows
