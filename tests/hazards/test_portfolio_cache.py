"""The portfolio's cached per-assessment figures are never served once the assessment's content has changed,
never cross from one user's projects to another's, and a cache outage only makes the page slower."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.errors import InvalidInput
from assessments.models import Membership
from assessments.services import projects as project_services
from hazards import portfolio, scoring
from hazards.services import comment_create, hazard_delete, hazard_update, mitigation_update
from hazards.services.scenarios import assessment_set_matrix
from tests.factories import make_hazard

TODAY = timezone.localdate()
ALL = portfolio.PortfolioFilters()


def _read(user, f=ALL, today=TODAY):
    return portfolio.portfolio(user=user, f=f, today=today)


def test_every_content_write_bumps_the_assessments_counter_and_a_refused_one_does_not(owner, contributor, two_projects):
    first = two_projects["first"]

    def seq():
        first.refresh_from_db()
        return first.content_seq

    start = seq()
    hazard_update(hazard_id=two_projects["worst"].pk, by=contributor, expected_version=None, title="Edited")
    assert seq() == start + 1
    added = make_hazard(first, contributor, title="One more")
    assert seq() == start + 2
    hazard_delete(hazard_id=added.pk, by=contributor, expected_version=None)
    assert seq() == start + 3
    with pytest.raises(InvalidInput):
        hazard_update(hazard_id=two_projects["worst"].pk, by=contributor, expected_version=None, title="")
    assert seq() == start + 3
    comment_create(assessment_id=first.pk, hazard_id=two_projects["worst"].pk, by=contributor, body="Not content")
    assert seq() == start + 3  # a comment changes no figure


def test_a_second_read_of_an_unchanged_portfolio_uses_the_cache(owner, two_projects):
    _read(owner)
    with CaptureQueriesContext(connection) as captured:
        again = _read(owner)
    # The assessments, the rows shown and the acceptances; no grouping or ranking of scenarios.
    assert len(captured) == 4, [q["sql"][:80] for q in captured]
    assert "GROUP BY" not in " ".join(q["sql"] for q in captured)
    assert again.heatmap[(5, 5)] == 2


def test_a_rating_edit_shows_at_once_in_the_heat_map_and_the_top_risks(owner, contributor, two_projects):
    worst = two_projects["worst"]
    before = _read(owner)
    assert before.heatmap[(5, 5)] == 2 and before.top_risks[0].title in ("Insecure code", "Agent deletes data")
    hazard_update(hazard_id=worst.pk, by=contributor, expected_version=None, residual_likelihood=1)
    after = _read(owner)
    assert after.heatmap[(5, 5)] == 1 and after.heatmap[(1, 5)] == 1
    assert after.top_risks[0].title == "Agent deletes data"


def test_a_title_edit_shows_at_once_because_rows_are_read_fresh(owner, contributor, two_projects):
    _read(owner)
    hazard_update(hazard_id=two_projects["worst"].pk, by=contributor, expected_version=None, title="Renamed")
    assert "Renamed" in [s.title for s in _read(owner).top_risks]


def test_a_new_and_a_deleted_scenario_change_the_counts_at_once(owner, contributor, two_projects):
    first = two_projects["first"]
    _read(owner)
    added = make_hazard(first, contributor, title="Late addition", residual_likelihood=5, residual_severity=5)
    data = _read(owner)
    assert data.heatmap[(5, 5)] == 3
    assert next(a for a in data.assessments if a.pk == first.pk).scenario_count == 3
    hazard_delete(hazard_id=added.pk, by=contributor, expected_version=None)
    data = _read(owner)
    assert data.heatmap[(5, 5)] == 2 and "Late addition" not in [s.title for s in data.top_risks]


def test_finishing_a_mitigation_takes_it_off_the_overdue_list_at_once(owner, contributor, two_projects):
    assert _read(owner).overdue_mitigation_count == 1
    (late,) = _read(owner).overdue_mitigations
    mitigation_update(mitigation_id=late.pk, by=contributor, expected_version=None, status="implemented")
    data = _read(owner)
    assert data.overdue_mitigation_count == 0 and data.overdue_mitigations == []


def test_a_new_day_recomputes_what_is_overdue(owner, two_projects):
    assert _read(owner).overdue_mitigation_count == 1
    earlier = TODAY - datetime.timedelta(days=5)  # the mitigation was not due yet
    assert _read(owner, today=earlier).overdue_mitigation_count == 0
    assert _read(owner).overdue_mitigation_count == 1


def test_a_matrix_change_re_places_the_ratings(owner, contributor, two_projects):
    first = two_projects["first"]
    _read(owner)
    first.refresh_from_db()
    assessment_set_matrix(
        assessment_id=first.pk, by=owner, expected_version=first.version, matrix=scoring.preset("mil_std_882e")
    )
    # 5 × 5's severity 5 is outside MIL-STD's four severities: that rating is cleared, so it leaves the map.
    assert _read(owner).heatmap.get((5, 5), 0) == 1


def test_filters_have_their_own_figures(owner, contributor, two_projects):
    _read(owner)
    mine = _read(owner, f=portfolio.PortfolioFilters(category="over_reliance"))
    assert [s.title for s in mine.top_risks] == ["Over-reliance"]
    assert _read(owner).heatmap[(5, 5)] == 2


def test_a_user_sees_only_their_projects_even_with_a_warm_cache(owner, outsider, two_projects):
    _read(owner)
    seen = _read(outsider)
    assert [s.title for s in seen.top_risks] == ["Outsider's risk"]
    assert {a.title for a in seen.assessments} == {"Secret assessment"}


def test_losing_a_membership_removes_the_project_at_once(owner, two_projects):
    assert "Agent pilot review" in {a.title for a in _read(owner).assessments}
    membership = Membership.objects.get(project=two_projects["second"], user=owner)
    Membership.objects.filter(project=two_projects["second"]).exclude(pk=membership.pk).update(role="owner")
    project_services.membership_remove(membership_id=membership.pk, by=owner)
    data = _read(owner)
    assert "Agent pilot review" not in {a.title for a in data.assessments}
    assert "Agent deletes data" not in [s.title for s in data.top_risks]


def test_a_cache_outage_still_answers_from_the_database(owner, two_projects, cache_down):
    data = _read(owner)
    assert data.heatmap[(5, 5)] == 2 and data.overdue_mitigation_count == 1
