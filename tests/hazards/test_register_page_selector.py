"""register_page: the register a page at a time, the same rows and progress as hazard_list, fewer costs."""

import datetime

import pytest
from django.utils import timezone

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
    today = timezone.localdate()
    # Due dates out of creation order, with ties and undated ones: creation order, ref order and due order differ.
    plan = [
        ("proposed", None),  # M-001
        ("proposed", 10),  # M-002
        ("proposed", -3),  # M-003
        ("proposed", 5),  # M-004
        ("planned", None),  # M-005
        ("proposed", None),  # M-006
        ("proposed", 1),  # M-007
        ("proposed", -3),  # M-008, same day as M-003
        ("planned", 2),  # M-009
        ("proposed", 20),  # M-010
    ]
    for status, offset in plan:
        services.mitigation_create(
            assessment_id=assessment.pk,
            by=contributor,
            title=f"{status} due {offset}",
            kind="process_control",
            status=status,
            due_date=None if offset is None else today + datetime.timedelta(days=offset),
        )
    columns, counts = selectors.mitigation_board(user=contributor, assessment=assessment, per_status=3)
    assert counts == {"proposed": 8, "planned": 2}
    shown = columns["proposed"]
    assert len(shown) == 3
    assert [m.due_date for m in shown] == sorted(m.due_date for m in shown)
    dated = [m.due_date for m in assessment.mitigations.all() if m.due_date]
    assert shown[0].due_date == min(dated)
    # The earliest three by due date, a tie broken by ref; undated ones come after every dated one.
    assert [m.ref for m in shown] == ["M-003", "M-008", "M-007"]
    assert [m.ref for m in columns["planned"]] == ["M-009", "M-005"]
    assert columns["verified"] == []
