"""register_page: the register a page at a time, the same rows and progress as hazard_list, fewer costs."""

import pytest

from hazards import selectors, services
from hazards.selectors import HazardFilters
from tests.factories import make_hazard
from tests.webtools import populate


@pytest.mark.parametrize("sort", ["ref", "title", "residual", "owner", "progress"])
@pytest.mark.parametrize("descending", [False, True])
def test_a_page_has_the_same_rows_in_the_same_order_as_the_full_register(assessment, contributor, sort, descending):
    scenarios = populate(assessment, contributor, scenarios=7, consequences=0, mitigations_per_scenario=2)
    for mitigation in scenarios[2].mitigations.all():
        services.mitigation_update(
            mitigation_id=mitigation.pk, by=contributor, expected_version=mitigation.version, status="verified"
        )
    filters = HazardFilters(sort=sort, descending=descending)
    everything = list(selectors.hazard_list(user=contributor, assessment=assessment, filters=filters))
    pages = [
        selectors.register_page(user=contributor, assessment=assessment, filters=filters, page=n, per_page=3)
        for n in (1, 2, 3)
    ]
    paged = [row for page in pages for row in page.object_list]
    assert [row.pk for row in paged] == [row.pk for row in everything]
    assert [(r.mitigation_count, r.done_mitigations) for r in paged] == [
        (r.mitigation_count, r.done_mitigations) for r in everything
    ]
    assert pages[0].paginator.count == 7


def test_filters_apply_before_paging_and_outsiders_get_nothing(assessment, contributor, outsider):
    make_hazard(assessment, contributor, title="Crypto", category="security")
    make_hazard(assessment, contributor, title="Other", category="other")
    page = selectors.register_page(
        user=contributor, assessment=assessment, filters=HazardFilters(category="security"), page=1, per_page=50
    )
    assert [row.title for row in page.object_list] == ["Crypto"]
    assert selectors.register_page(user=outsider, assessment=assessment, page=1, per_page=50).paginator.count == 0


def test_the_board_shows_the_earliest_due_of_each_status_and_counts_all(assessment, contributor):
    populate(assessment, contributor, scenarios=5, consequences=0, mitigations_per_scenario=2)
    columns, counts = selectors.mitigation_board(user=contributor, assessment=assessment, per_status=3)
    assert counts == {"proposed": 10}
    shown = columns["proposed"]
    assert len(shown) == 3
    assert [m.due_date for m in shown] == sorted(m.due_date for m in shown)
    assert shown[0].due_date == min(m.due_date for m in assessment.mitigations.all())
