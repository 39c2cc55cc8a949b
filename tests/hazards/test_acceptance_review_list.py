"""The owners' review list: scenarios whose risk acceptance lapsed and that nothing covers again."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import Assessment, Status
from hazards import selectors, services
from hazards.models import RiskAcceptance
from tests.factories import make_assessment, make_hazard

TODAY = timezone.localdate()


def accepted(assessment, contributor, approver, *, owner=None, title="Persuasive political content"):
    scenario = make_hazard(assessment, contributor, title=title, treatment="accept", owner=owner)
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk, by=approver, rationale="Low exposure", expires_on=TODAY + datetime.timedelta(days=30)
    )
    return scenario, acceptance


def expire(acceptance):
    # The date passes (the expiry sweep need not have run: the date is what counts).
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=TODAY - datetime.timedelta(days=1))


def test_an_expired_acceptance_puts_the_scenario_on_the_lists_of_its_owner_project_owners_and_approvers(
    assessment, contributor, approver, owner, reviewer, viewer, outsider
):
    scenario, acceptance = accepted(assessment, contributor, approver, owner=contributor)
    assert not selectors.acceptance_review_list(user=contributor).exists()
    expire(acceptance)
    for user in (contributor, owner, approver):
        (listed,) = selectors.acceptance_review_list(user=user)
        assert listed == scenario
        assert listed.last_expired_on == TODAY - datetime.timedelta(days=1)
        assert listed.last_revoked_at is None
    for user in (reviewer, viewer, outsider):
        assert not selectors.acceptance_review_list(user=user).exists()


def test_a_revoked_acceptance_lists_the_scenario_until_it_is_accepted_again(assessment, contributor, approver, owner):
    scenario, acceptance = accepted(assessment, contributor, approver)
    services.acceptance_revoke(acceptance_id=acceptance.pk, by=owner, reason="Exposure grew")
    (listed,) = selectors.acceptance_review_list(user=owner)
    assert listed.last_revoked_at is not None
    services.acceptance_grant(
        hazard_id=scenario.pk, by=approver, rationale="Re-accepted", expires_on=TODAY + datetime.timedelta(days=10)
    )
    assert not selectors.acceptance_review_list(user=owner).exists()


def test_moving_the_scenario_to_a_live_mitigation_takes_it_off_the_list(assessment, contributor, approver, owner):
    scenario, acceptance = accepted(assessment, contributor, approver)
    expire(acceptance)
    mitigation = services.mitigation_create(
        assessment_id=assessment.pk, by=contributor, title="Filter", kind="technical_control", hazard_ids=[scenario.pk]
    )
    # A mitigation alone does not cover a scenario still treated by acceptance...
    assert selectors.acceptance_review_list(user=owner).exists()
    services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=None, treatment="mitigate")
    assert not selectors.acceptance_review_list(user=owner).exists()
    # ...and a rejected mitigation covers nothing.
    services.mitigation_update(mitigation_id=mitigation.pk, by=contributor, expected_version=None, status="rejected")
    assert selectors.acceptance_review_list(user=owner).exists()


@pytest.mark.parametrize("status", [Status.SUPERSEDED, Status.ARCHIVED])
def test_history_is_not_on_the_list(assessment, contributor, approver, owner, status):
    _, acceptance = accepted(assessment, contributor, approver)
    expire(acceptance)
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    assert not selectors.acceptance_review_list(user=owner).exists()


def test_the_list_can_be_narrowed_to_one_assessment(assessment, project, contributor, approver, owner):
    other = make_assessment(project, contributor, title="Review bot")
    _, first = accepted(assessment, contributor, approver)
    _, second = accepted(other, contributor, approver)
    expire(first)
    expire(second)
    assert selectors.acceptance_review_list(user=owner).count() == 2
    assert [s.assessment_id for s in selectors.acceptance_review_list(user=owner, assessment=other)] == [other.pk]


def test_the_list_takes_one_query_however_long_it_is(
    assessment, contributor, approver, owner, django_assert_num_queries
):
    def rows():
        with django_assert_num_queries(1):
            return [(s.ref, s.assessment.project.name, s.owner) for s in selectors.acceptance_review_list(user=owner)]

    for n in range(2):
        _, acceptance = accepted(assessment, contributor, approver, owner=contributor, title=f"Scenario {n}")
        expire(acceptance)
    assert len(rows()) == 2
    for n in range(2, 12):
        _, acceptance = accepted(assessment, contributor, approver, owner=contributor, title=f"Scenario {n}")
        expire(acceptance)
    assert len(rows()) == 12
