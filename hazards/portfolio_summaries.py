"""What the portfolio needs of each assessment, computed for many at once and cached per assessment.

At 100 projects of 2,000 scenarios, counting, grouping and ranking 200,000 rows on every page view costs
seconds; an assessment's figures only change when its content does. Every content write bumps the
assessment's `content_seq` while holding the assessment's row lock (hazards.services.common), so writes
commit in the counter's order and a summary cached under one value can never be served once a later write
has committed. (The newest audit event id would not do: comments and exports record events without that
lock, so a lower id can commit after a higher one.) The summary depends on the day too (what is overdue),
and on the filters. It holds figures and ids only; the rows shown are read fresh by id, so names and
titles are always current.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from assessments.models import Assessment
from hazards.models import HazardScenario, Mitigation
from hazards.selectors import OPEN_MITIGATION_STATUSES

logger = logging.getLogger(__name__)

# The portfolio's ranking of risks, worst first; `number` breaks ties within an assessment.
RISK_ORDER = [
    F("residual_rank").desc(),
    F("residual_severity").desc(nulls_last=True),
    F("residual_likelihood").desc(nulls_last=True),
    F("number").asc(),
]
CACHE_SECONDS = 24 * 3600  # a key is dead once the assessment changes or the day ends; this only frees memory


@dataclass
class Risks:
    """An assessment's scenarios under the owner and area filters."""

    scenario_count: int = 0  # all of them, unfiltered
    cells: dict[tuple[int, int], int] = field(default_factory=dict)  # (likelihood, severity) on its own matrix
    top: list[tuple] = field(default_factory=list)  # (rank, severity, likelihood, number, id), worst first


@dataclass
class Overdue:
    """An assessment's open mitigations past their due date on a given day, under the filters."""

    first: list[tuple] = field(default_factory=list)  # (due_date, number, id), most overdue first
    count: int = 0


@dataclass(frozen=True)
class Summary:
    risks: Risks
    overdue: Overdue


@dataclass(frozen=True)
class Query:
    """What to summarise: the portfolio's filters as conditions, the day, and how many rows lists keep."""

    scenario_filter: Q  # owner and hazard area
    cell_filter: Q  # the chosen heat-map cell (top risks only)
    mitigation_filter: Q
    today: datetime.date
    top: int
    listed: int


def risk_sort_key(assessment_id: int, entry: tuple) -> tuple:
    """The position of a `Risks.top` entry in the portfolio's order across assessments (RISK_ORDER)."""
    rank, severity, likelihood, number, _ = entry
    return (-rank, severity is None, -(severity or 0), likelihood is None, -(likelihood or 0), assessment_id, number)


def summaries(*, assessments: list[Assessment], filters, query: Query) -> dict[int, Summary]:
    """Each assessment's Summary, from the cache where its content has not changed since, computed in a
    constant number of queries for the others.

    What is overdue also depends on the day, so it has keys of its own: a new day recomputes only that.
    """
    # The cell filter's ratings depend on the matrix, which is part of the content (a matrix edit is an event).
    content = {
        a.pk: f"portfolio:v1:{a.pk}:{a.lineage}:{a.content_seq}:{filters.owner}:{filters.category}" for a in assessments
    }
    risks = _cached(
        {pk: f"{key}:risks:{filters.likelihood}:{filters.severity}:{query.top}" for pk, key in content.items()},
        lambda ids: _risks(ids, query),
    )
    overdue = _cached(
        {pk: f"{key}:overdue:{query.today.isoformat()}:{query.listed}" for pk, key in content.items()},
        lambda ids: _overdue(ids, query),
    )
    return {pk: Summary(risks=risks[pk], overdue=overdue[pk]) for pk in content}


def _cached(keys: dict[int, str], compute) -> dict:
    try:
        cached = cache.get_many(list(keys.values()))
    except Exception:  # a cache outage must not take the page down; it only makes it slower
        logger.warning("portfolio cache unavailable", exc_info=True)
        cached = {}
    found = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = [pk for pk in keys if pk not in found]
    if missing:
        computed = compute(missing)
        try:
            cache.set_many({keys[pk]: value for pk, value in computed.items()}, CACHE_SECONDS)
        except Exception:
            logger.warning("portfolio cache unavailable", exc_info=True)
        found.update(computed)
    return found


def _risks(ids: list[int], q: Query) -> dict[int, Risks]:
    result = {pk: Risks() for pk in ids}
    scenarios = HazardScenario.objects.filter(assessment_id__in=ids).order_by()
    for assessment_id, n in scenarios.values_list("assessment_id").annotate(n=Count("id")):
        result[assessment_id].scenario_count = n
    rated = (
        scenarios.filter(q.scenario_filter, residual_likelihood__isnull=False, residual_severity__isnull=False)
        .values_list("assessment_id", "residual_likelihood", "residual_severity")
        .annotate(n=Count("id"))
    )
    for assessment_id, likelihood, severity, n in rated:
        result[assessment_id].cells[(likelihood, severity)] = n
    # Each assessment's own worst few: the portfolio's top risks are among them, whatever the others hold.
    top = (
        scenarios.filter(q.scenario_filter, q.cell_filter)
        .annotate(place=Window(RowNumber(), partition_by=F("assessment_id"), order_by=RISK_ORDER))
        .filter(place__lte=q.top)
        .values_list("assessment_id", "residual_rank", "residual_severity", "residual_likelihood", "number", "id")
    )
    for assessment_id, *entry in top:
        result[assessment_id].top.append(tuple(entry))
    for figures in result.values():
        figures.top.sort(key=lambda entry: risk_sort_key(0, entry))
    return result


def _overdue(ids: list[int], q: Query) -> dict[int, Overdue]:
    result = {pk: Overdue() for pk in ids}
    overdue = (
        Mitigation.objects.filter(
            q.mitigation_filter, assessment_id__in=ids, status__in=OPEN_MITIGATION_STATUSES, due_date__lt=q.today
        )
        .order_by()
        .annotate(
            place=Window(RowNumber(), partition_by=F("assessment_id"), order_by=[F("due_date").asc(), F("number")]),
            total=Window(Count("id"), partition_by=F("assessment_id")),
        )
        .filter(place__lte=q.listed)
        .values_list("assessment_id", "due_date", "number", "id", "total")
    )
    for assessment_id, due_date, number, pk, total in overdue:
        result[assessment_id].first.append((due_date, number, pk))
        result[assessment_id].count = total
    for figures in result.values():
        figures.first.sort()
    return result


def of_category(category: str) -> Q:
    """Mitigations linked to a scenario of the hazard area (one test per mitigation, no duplicate rows)."""
    links = Mitigation.scenarios.through.objects.filter(mitigation_id=OuterRef("pk"), hazardscenario__category=category)
    return Q(Exists(links))
