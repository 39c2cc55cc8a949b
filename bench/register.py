"""Register benchmark: the scoped register selector at 2,000 scenarios against a plain values() read."""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from hazards.selectors import hazard_list

REGISTER_FIELDS = [
    "id",
    "ref",
    "title",
    "category",
    "inherent_level",
    "residual_level",
    "treatment",
    "owner__username",
]


def _timed(fn, repeats: int) -> tuple[float, int]:
    """Median seconds of `repeats` runs (after one warm-up) and the query count of one run."""
    fn()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), len(ctx.captured_queries)


def run(assessment, repeats: int = 7) -> dict:
    user = assessment.project.memberships.select_related("user").first().user
    rows = assessment.scenarios.count()

    def through_selector():
        return [
            (
                s.ref,
                s.title,
                s.category,
                s.inherent_level,
                s.residual_level,
                s.treatment,
                s.owner.username if s.owner else "",
                s.mitigation_count,
                s.done_mitigations,
            )
            for s in hazard_list(user=user, assessment=assessment)
        ]

    def plain_values():
        return list(assessment.scenarios.values_list(*REGISTER_FIELDS))

    selector_s, selector_q = _timed(through_selector, repeats)
    values_s, values_q = _timed(plain_values, repeats)
    return {
        "benchmark": "register",
        "rows": rows,
        "selector_ms": round(selector_s * 1000, 2),
        "selector_queries": selector_q,
        "values_ms": round(values_s * 1000, 2),
        "values_queries": values_q,
        "ratio_selector_to_values": round(selector_s / values_s, 2),
    }
