"""Risk acceptances expire: the daily sweep marks them once, the submit guard stops counting them, people are told."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.errors import InvalidTransition
from assessments.models import Assessment, AuditEvent, Notification, Status
from assessments.services import workflow
from assessments.services.notifications import notifications_send_email
from config.celery import app
from hazards import selectors, services
from hazards.models import RiskAcceptance
from hazards.tasks import acceptances_expire
from tests.factories import make_hazard

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def high_and_accepted(assessment, contributor, approver):
    """A scenario at High residual risk, treated by acceptance, with no mitigation: only the acceptance covers it."""
    scenario = make_hazard(
        assessment, contributor, treatment="accept", residual_likelihood=5, residual_severity=5, owner=contributor
    )
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk, by=approver, rationale="Pilot only", expires_on=days(7)
    )
    return scenario, acceptance


def test_the_sweep_marks_each_past_acceptance_expired_once_with_an_audit_event_and_notifications(
    assessment, high_and_accepted, approver, mailoutbox
):
    scenario, acceptance = high_and_accepted
    Notification.objects.all().delete()
    assert services.acceptances_expire(today=days(7)) == 0  # valid through its expiry date
    assert services.acceptances_expire(today=days(8)) == 1
    acceptance.refresh_from_db()
    assert acceptance.expired_at is not None
    assert acceptance.version == 2
    event = AuditEvent.objects.get(action="acceptance.expired")
    assert (event.actor, event.actor_name, event.via, event.object_ref) == (None, "system", "task", "H-001")
    recipients = set(
        Notification.objects.filter(kind="acceptance_expired").values_list("recipient__username", flat=True)
    )
    assert recipients == {"carol", "dave", "olivia", "alice"}
    note = Notification.objects.get(kind="acceptance_expired", recipient__username="alice")
    assert note.message == (
        "The risk acceptance of H-001 “Plausible but incorrect code” in “IDE assistant rollout” (rev. 1) by carol "
        f"expired on {days(7).isoformat()}; the scenario needs review."
    )
    assert note.url == f"/hazards/{scenario.pk}/"
    assert notifications_send_email(cause=note.cause) == 4
    assert sorted(m.to[0] for m in mailoutbox) == [
        "alice@example.com",
        "carol@example.com",
        "dave@example.com",
        "olivia@example.com",
    ]

    assert services.acceptances_expire(today=days(9)) == 0
    assert AuditEvent.objects.filter(action="acceptance.expired").count() == 1
    assert Notification.objects.filter(kind="acceptance_expired").count() == 4


def test_an_expired_acceptance_no_longer_counts_for_the_submit_guard_and_lists_the_scenario(
    assessment, high_and_accepted, contributor, owner
):
    scenario, acceptance = high_and_accepted
    assert workflow.submit_problems(assessment) == []
    # The date passes.
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=days(-1))
    assert workflow.submit_problems(assessment) == [
        "1 scenario at Serious residual risk or above has no mitigation or accepted risk: H-001."
    ]
    with pytest.raises(InvalidTransition, match="no mitigation or accepted risk: H-001"):
        workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assert [s.pk for s in selectors.acceptance_review_list(user=owner)] == [scenario.pk]
    assert services.acceptances_expire() == 1
    assert Assessment.objects.get(pk=assessment.pk).status == Status.DRAFT


def test_an_acceptance_expiring_today_still_covers_the_scenario(assessment, high_and_accepted, contributor):
    _, acceptance = high_and_accepted
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=TODAY)
    assert services.acceptances_expire() == 0
    assert workflow.assessment_submit(assessment_id=assessment.pk, by=contributor).status == Status.IN_REVIEW


def test_revoked_acceptances_are_not_expired_and_history_is_marked_but_not_announced(
    assessment, high_and_accepted, contributor, approver, owner
):
    scenario, acceptance = high_and_accepted
    other = services.acceptance_grant(hazard_id=scenario.pk, by=approver, rationale="Second", expires_on=days(3))
    services.acceptance_revoke(acceptance_id=other.pk, by=owner, reason="Wrong scope")
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUPERSEDED)
    Notification.objects.all().delete()
    assert services.acceptances_expire(today=days(30)) == 1
    other.refresh_from_db()
    assert other.expired_at is None
    assert AuditEvent.objects.filter(action="acceptance.expired", object_id=acceptance.pk).exists()
    assert not Notification.objects.exists()


def test_the_sweep_works_through_many_in_bounded_batches(assessment, contributor, approver):
    for n in range(5):
        scenario = make_hazard(assessment, contributor, title=f"Scenario {n}")
        services.acceptance_grant(hazard_id=scenario.pk, by=approver, rationale="r", expires_on=days(1 + n % 2))
    with CaptureQueriesContext(connection) as queries:
        assert services.acceptances_expire(today=days(10), batch_size=2) == 5
    assert not RiskAcceptance.objects.filter(expired_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="acceptance.expired").count() == 5
    # Batches of 2, 2 and 1: three claims of at most two locked rows each, and the short last batch ends the
    # sweep without another (empty) claim.
    claims = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and "FOR UPDATE" in q["sql"] and 'FROM "hazards_riskacceptance"' in q["sql"]
    ]
    assert len(claims) == 3
    assert all("LIMIT 2" in sql and "SKIP LOCKED" in sql for sql in claims)
    marks = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "hazards_riskacceptance"')]
    assert len(marks) == 3


def test_the_daily_task_runs_the_sweep_and_is_in_the_beat_schedule(assessment, high_and_accepted):
    _, acceptance = high_and_accepted
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=days(-2))
    assert acceptances_expire.apply().get() == 1
    assert acceptances_expire.apply().get() == 0
    entry = app.conf.beat_schedule["expire-risk-acceptances"]
    assert entry["task"] == acceptances_expire.name == "hazards.tasks.acceptances_expire"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {15})


def test_a_scenario_set_to_accept_without_an_acceptance_tells_approvers_and_owners_once(
    assessment, contributor, approver
):
    scenario = make_hazard(assessment, contributor, treatment="accept")
    needed = Notification.objects.filter(kind="acceptance_needed")
    assert set(needed.values_list("recipient__username", flat=True)) == {"carol", "dave", "olivia"}
    assert needed.first().message == (
        "H-001 “Plausible but incorrect code” in “IDE assistant rollout” (rev. 1) is to be accepted; "
        "it needs an approver's risk acceptance."
    )
    # Editing something else does not repeat it.
    services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=None, description="More detail")
    assert needed.count() == 3
    # Once accepted, switching away and back needs no new acceptance, so nobody is told again.
    services.acceptance_grant(hazard_id=scenario.pk, by=approver, rationale="ok", expires_on=days(30))
    services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=None, treatment="mitigate")
    services.hazard_update(hazard_id=scenario.pk, by=contributor, expected_version=None, treatment="accept")
    assert needed.count() == 3


def test_a_revoked_acceptance_tells_approvers_owners_and_the_scenario_owner(
    assessment, high_and_accepted, owner, approver
):
    _, acceptance = high_and_accepted
    services.acceptance_revoke(acceptance_id=acceptance.pk, by=owner, reason="Exposure grew")
    revoked = Notification.objects.filter(kind="acceptance_revoked")
    assert set(revoked.values_list("recipient__username", flat=True)) == {"carol", "dave", "alice"}
    assert revoked.first().message.startswith("olivia revoked the risk acceptance of H-001")
    assert revoked.first().message.endswith(": Exposure grew")
