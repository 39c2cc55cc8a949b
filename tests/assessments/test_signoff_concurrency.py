"""Races on PostgreSQL with real threads and connections: approvers at once, a submit against an edit.

Each test holds the assessment's row lock in the main thread, starts the racers one by one and waits
until PostgreSQL reports each of them blocked on that lock, then lets go: the racers really contend,
in a known order, with nothing left to timing.
"""

import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, transaction

from assessments.errors import ContentFrozen, InvalidTransition
from assessments.models import Approval, Assessment, AuditEvent, Notification, Status
from assessments.services import workflow
from hazards import services
from tests.assessments.workflow_states import make_ready

pytestmark = pytest.mark.django_db(transaction=True)


class Racer(threading.Thread):
    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn = fn
        self.value = None
        self.error: BaseException | None = None

    def run(self):
        try:
            self.value = self.fn()
        except BaseException as exc:
            self.error = exc
        finally:
            connection.close()  # this thread's own connection


def lock_waiters() -> int:
    with connection.cursor() as cursor:
        # Statistics views are a snapshot per transaction; clear it to see the current state.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until_blocked(count: int) -> None:
    deadline = time.monotonic() + 30
    while lock_waiters() < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {count} transactions waiting for the row lock")
        time.sleep(0.02)


@contextmanager
def holding_the_row_lock(assessment):
    with transaction.atomic():
        Assessment.objects.select_for_update().get(pk=assessment.pk)
        yield


def race(assessment, *fns) -> list[Racer]:
    racers = [Racer(fn) for fn in fns]
    with holding_the_row_lock(assessment):
        for n, racer in enumerate(racers, start=1):
            racer.start()
            wait_until_blocked(n)
    for racer in racers:
        racer.join(timeout=60)
        assert not racer.is_alive()
    return racers


@pytest.fixture
def submitted(project, assessment, contributor):
    make_ready(assessment, contributor)
    return workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)


def test_two_approvers_at_once_are_both_counted_once_and_the_revision_is_approved_once(
    project, submitted, approver, approver2
):
    project.required_approvals = 2
    project.save()
    first, second = race(
        submitted,
        lambda: workflow.assessment_approve(assessment_id=submitted.pk, by=approver),
        lambda: workflow.assessment_approve(assessment_id=submitted.pk, by=approver2),
    )
    assert first.error is None and second.error is None
    assert (first.value.status, second.value.status) == (Status.IN_REVIEW, Status.APPROVED)
    final = Assessment.objects.get(pk=submitted.pk)
    assert final.status == Status.APPROVED
    assert sorted(Approval.objects.values_list("approver__username", flat=True)) == ["carol", "dave"]
    assert AuditEvent.objects.filter(action="assessment.approved").count() == 1
    assert Notification.objects.filter(kind="approved").count() == 1  # alice, once


def test_when_one_approval_suffices_the_second_approver_finds_it_approved(project, submitted, approver, approver2):
    first, second = race(
        submitted,
        lambda: workflow.assessment_approve(assessment_id=submitted.pk, by=approver),
        lambda: workflow.assessment_approve(assessment_id=submitted.pk, by=approver2),
    )
    assert first.value.status == Status.APPROVED
    assert isinstance(second.error, InvalidTransition)
    assert str(second.error) == "Cannot approve an assessment that is approved."
    assert Approval.objects.count() == 1
    assert AuditEvent.objects.filter(action="assessment.approved").count() == 1


def test_the_same_approver_twice_at_once_is_counted_once(project, submitted, approver):
    project.required_approvals = 2
    project.save()
    first, second = race(
        submitted,
        lambda: workflow.assessment_approve(assessment_id=submitted.pk, by=approver),
        lambda: workflow.assessment_approve(assessment_id=submitted.pk, by=approver),
    )
    assert first.error is None
    assert isinstance(second.error, InvalidTransition)
    assert "already approved" in str(second.error)
    assert Approval.objects.count() == 1
    assert Assessment.objects.get(pk=submitted.pk).status == Status.IN_REVIEW


def test_an_edit_queued_behind_a_submit_is_refused_and_the_snapshot_is_the_content(
    project, assessment, contributor, owner
):
    make_ready(assessment, contributor)
    scenario = assessment.scenarios.get()
    submit, edit = race(
        assessment,
        lambda: workflow.assessment_submit(assessment_id=assessment.pk, by=contributor),
        lambda: services.hazard_update(hazard_id=scenario.pk, by=owner, expected_version=None, title="Late edit"),
    )
    assert submit.error is None
    assert isinstance(edit.error, ContentFrozen)
    final = Assessment.objects.get(pk=assessment.pk)
    assert final.status == Status.IN_REVIEW
    assert workflow.live_hash(final) == final.content_hash
    assert "Late edit" not in final.snapshots.get().canonical


def test_an_edit_ahead_of_a_submit_lands_in_the_submitted_snapshot(project, assessment, contributor, owner):
    make_ready(assessment, contributor)
    scenario = assessment.scenarios.get()
    edit, submit = race(
        assessment,
        lambda: services.hazard_update(hazard_id=scenario.pk, by=owner, expected_version=None, title="Early edit"),
        lambda: workflow.assessment_submit(assessment_id=assessment.pk, by=contributor),
    )
    assert edit.error is None and submit.error is None
    final = Assessment.objects.get(pk=assessment.pk)
    assert workflow.live_hash(final) == final.content_hash
    assert '"title":"Early edit"' in final.snapshots.get().canonical
