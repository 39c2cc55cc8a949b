"""Register benchmark: the scoped register selectors at 2,000 scenarios against plain values() reads.

The register page shows one page of 50 rows through `register_page`; it is measured on the first page and
on a late page of a sort by residual risk, each against a values() read of the same 50 rows. The whole
register as model rows through `hazard_list` (the worst case: no page asks for it) is measured against a
values() read of every row.
"""

import math

from bench.timing import timed
from hazards.selectors import HazardFilters, hazard_list, register_page
from hazards.views.register import PAGE_SIZE

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
LATE_PAGE = 30  # as the web benchmark's "sorted, page 30": rows 1,451 to 1,500 of 2,000


def _shown(s) -> tuple:
    """What the register shows of a row."""
    owner = s.owner.username if s.owner else ""
    return (
        s.ref,
        s.title,
        s.category,
        s.inherent_level,
        s.residual_level,
        s.treatment,
        owner,
        s.mitigation_count,
        s.done_mitigations,
    )


def run(assessment, repeats: int = 7) -> dict:
    user = assessment.project.memberships.select_related("user").first().user
    rows = assessment.scenarios.count()
    late = HazardFilters(sort="residual", descending=True)
    late_order = ("-residual_rank", "-residual_severity", "-number")
    late_number = min(LATE_PAGE, max(1, math.ceil(rows / PAGE_SIZE)))  # smaller data sets: their last page
    late_offset = (late_number - 1) * PAGE_SIZE

    def through_selector():
        return [_shown(s) for s in hazard_list(user=user, assessment=assessment)]

    def plain_values():
        return list(assessment.scenarios.values_list(*REGISTER_FIELDS))

    def first_page():
        page = register_page(user=user, assessment=assessment, page=1, per_page=PAGE_SIZE)
        return [_shown(s) for s in page.object_list]

    def first_page_values():
        return list(assessment.scenarios.order_by("number").values_list(*REGISTER_FIELDS)[:PAGE_SIZE])

    def late_page():
        page = register_page(user=user, assessment=assessment, filters=late, page=late_number, per_page=PAGE_SIZE)
        return [_shown(s) for s in page.object_list]

    def late_page_values():
        qs = assessment.scenarios.order_by(*late_order).values_list(*REGISTER_FIELDS)
        return list(qs[late_offset : late_offset + PAGE_SIZE])

    # Each baseline reads the very rows of its page, in the same order.
    assert [row[0] for row in first_page()] == [row[1] for row in first_page_values()]
    assert [row[0] for row in late_page()] == [row[1] for row in late_page_values()]
    selector_s, selector_q = timed(through_selector, repeats)
    values_s, values_q = timed(plain_values, repeats)
    first_s, first_q = timed(first_page, repeats)
    first_values_s, first_values_q = timed(first_page_values, repeats)
    late_s, late_q = timed(late_page, repeats)
    late_values_s, late_values_q = timed(late_page_values, repeats)
    return {
        "benchmark": "register",
        "rows": rows,
        "selector_ms": round(selector_s * 1000, 2),
        "selector_queries": selector_q,
        "values_ms": round(values_s * 1000, 2),
        "values_queries": values_q,
        "ratio_selector_to_values": round(selector_s / values_s, 2),
        "page_size": PAGE_SIZE,
        "page_first_ms": round(first_s * 1000, 2),
        "page_first_queries": first_q,
        "page_first_values_ms": round(first_values_s * 1000, 2),
        "page_first_values_queries": first_values_q,
        "ratio_page_first_to_values": round(first_s / first_values_s, 2),
        "ratio_page_first_to_full_values": round(first_s / values_s, 2),
        "page_late": f"sort=residual desc, page {late_number}",
        "page_late_ms": round(late_s * 1000, 2),
        "page_late_queries": late_q,
        "page_late_values_ms": round(late_values_s * 1000, 2),
        "page_late_values_queries": late_values_q,
        "ratio_page_late_to_values": round(late_s / late_values_s, 2),
        "ratio_page_late_to_full_values": round(late_s / values_s, 2),
    }
