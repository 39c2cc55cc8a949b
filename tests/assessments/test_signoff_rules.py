"""Sign-off rules: four eyes, a quorum of distinct approvers, approvals bound to content, and verification."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from assessments import verification
from assessments.errors import InvalidTransition
from assessments.models import Approval, Assessment, AuditEvent, Notification, Snapshot, Status
from assessments.services import workflow
from hazards import services
from hazards.models import HazardScenario
from tests.assessments.workflow_states import make_ready
from tests.factories import make_hazard


@pytest.fixture
def two_needed(project):
    project.required_approvals = 2
    project.save()
    return project


@pytest.fixture
def accepted_scenario(assessment, contributor, approver):
    """A ready assessment with one more scenario, below the sign-off level, covered by an acceptance."""
    make_ready(assessment, contributor)
    scenario = make_hazard(assessment, contributor, title="Political persuasion", treatment="accept")
    acceptance = services.acceptance_grant(
        hazard_id=scenario.pk,
        by=approver,
        rationale="Low exposure",
        expires_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    return scenario, acceptance


def test_the_submitter_cannot_approve_even_as_owner(two_needed, assessment, contributor, owner, approver):
    make_ready(assessment, contributor)
    assessment = workflow.assessment_submit(assessment_id=assessment.pk, by=owner)
    with pytest.raises(InvalidTransition, match=r"someone else must approve it \(four eyes\)"):
        workflow.assessment_approve(assessment_id=assessment.pk, by=owner)
    (option,) = [o for o in workflow.transition_options(user=owner, assessment=assessment) if o.name == "approve"]
    assert not option.enabled
    assert "four eyes" in option.reason
    assert not Approval.objects.exists()


def test_two_distinct_approvers_make_the_quorum_and_a_repeat_counts_once(
    two_needed, assessment, contributor, approver, approver2, owner
):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    first = workflow.assessment_approve(assessment_id=assessment.pk, by=approver, comment="Looks right")
    assert first.status == Status.IN_REVIEW
    with pytest.raises(InvalidTransition, match="You have already approved this content"):
        workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    assert workflow.counting_approvals(first).count() == 1
    final = workflow.assessment_approve(assessment_id=assessment.pk, by=approver2)
    assert final.status == Status.APPROVED
    assert list(final.approvals.values_list("approver__username", "comment")) == [
        ("carol", "Looks right"),
        ("dave", ""),
    ]
    assert set(final.approvals.values_list("content_hash", flat=True)) == {final.content_hash}
    assert final.approved_snapshot.sha256 == final.content_hash
    event = AuditEvent.objects.get(action="assessment.approved")
    assert (event.actor, event.changes["status"], event.changes["approvers"]) == (
        approver2,
        ["in_review", "approved"],
        [None, 2],
    )
    assert AuditEvent.objects.filter(action="assessment.approval_given").count() == 2


def test_an_owner_and_an_approver_together_make_a_quorum(two_needed, assessment, contributor, approver, owner):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=assessment.pk, by=owner)
    assert workflow.assessment_approve(assessment_id=assessment.pk, by=approver).status == Status.APPROVED


def test_an_approval_of_content_the_approver_did_not_see_is_refused(assessment, contributor, approver):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    with pytest.raises(InvalidTransition, match="changed since you looked at it"):
        workflow.assessment_approve(assessment_id=assessment.pk, by=approver, seen_hash="0" * 64)
    assessment.refresh_from_db()
    approved = workflow.assessment_approve(assessment_id=assessment.pk, by=approver, seen_hash=assessment.content_hash)
    assert approved.status == Status.APPROVED


def test_a_revoked_acceptance_outdates_the_approvals_and_blocks_approval_until_resubmission(
    two_needed, assessment, accepted_scenario, contributor, reviewer, approver, approver2, owner
):
    scenario, acceptance = accepted_scenario
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    assessment.refresh_from_db()
    submitted_hash = assessment.content_hash
    assert workflow.counting_approvals(assessment).count() == 1

    # Revoking is allowed in review (the risk is no longer acceptable) and changes the signed content.
    services.acceptance_revoke(acceptance_id=acceptance.pk, by=owner, reason="Exposure grew")
    assessment.refresh_from_db()
    assert workflow.live_hash(assessment) != submitted_hash
    assert workflow.counting_approvals(assessment).count() == 0
    (state,) = verification.approval_states(assessment)
    assert (state.approver, state.counts, state.outdated) == ("carol", False, True)
    check = verification.assessment_verify(assessment)
    assert check.content_changed_since_submission
    assert check.submitted.intact
    assert check.counting_approvals == 0

    with pytest.raises(InvalidTransition, match="content changed after it was submitted"):
        workflow.assessment_approve(assessment_id=assessment.pk, by=approver2)
    (option,) = [o for o in workflow.transition_options(user=approver2, assessment=assessment) if o.name == "approve"]
    assert not option.enabled
    assert "Request changes and submit it again" in option.reason
    assert Approval.objects.count() == 1

    workflow.assessment_request_changes(assessment_id=assessment.pk, by=reviewer, comment="Re-accept H-002")
    services.acceptance_grant(
        hazard_id=scenario.pk,
        by=approver2,
        rationale="Exposure re-checked",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    resubmitted = workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assert resubmitted.content_hash != submitted_hash
    # carol's approval was of the old content: it does not count, so she may approve again.
    assert workflow.counting_approvals(resubmitted).count() == 0
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    final = workflow.assessment_approve(assessment_id=assessment.pk, by=approver2)
    assert final.status == Status.APPROVED
    assert Snapshot.objects.filter(assessment=assessment).count() == 2


def test_a_direct_database_write_under_review_also_outdates_the_approvals(
    two_needed, assessment, contributor, approver, approver2
):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    HazardScenario.objects.filter(assessment=assessment).update(title="Edited behind the workflow's back")
    assessment.refresh_from_db()
    assert workflow.counting_approvals(assessment).count() == 0
    with pytest.raises(InvalidTransition, match="content changed after it was submitted"):
        workflow.assessment_approve(assessment_id=assessment.pk, by=approver2)
    assert Assessment.objects.get(pk=assessment.pk).status == Status.IN_REVIEW


def test_resubmitting_identical_content_keeps_the_approvals_given_to_it(
    two_needed, assessment, contributor, reviewer, approver, approver2
):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    workflow.assessment_request_changes(assessment_id=assessment.pk, by=reviewer, comment="Is H-001 right?")
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    # An approval is bound to content: the same bytes, the same approval.
    assert workflow.assessment_approve(assessment_id=assessment.pk, by=approver2).status == Status.APPROVED


def test_a_stored_snapshot_verifies_and_tampering_is_detected(assessment, contributor, approver):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    approved = workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    stored = approved.approved_snapshot
    assert hashlib.sha256(stored.canonical.encode("utf-8")).hexdigest() == stored.sha256
    check = verification.assessment_verify(approved)
    assert check.approved.intact and check.approved.matches_live
    assert check.submitted == check.approved
    assert check.live_sha256 == stored.sha256
    as_dict = check.as_dict()
    assert as_dict["content_changed_since_approval"] is False
    assert as_dict["approvals"][0]["counts"] is True

    Snapshot.objects.filter(pk=stored.pk).update(canonical=stored.canonical.replace("SAST gate", "SAST gat"))
    approved = Assessment.objects.get(pk=approved.pk)
    tampered = verification.assessment_verify(approved).approved
    assert tampered.intact is False
    assert tampered.recomputed != tampered.sha256


def test_after_approval_a_revoked_acceptance_shows_as_a_mismatch_with_the_approved_snapshot(
    assessment, accepted_scenario, contributor, approver, owner
):
    _, acceptance = accepted_scenario
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    approved = workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    services.acceptance_revoke(acceptance_id=acceptance.pk, by=owner, reason="No longer acceptable")
    check = verification.assessment_verify(Assessment.objects.get(pk=approved.pk))
    assert check.approved.intact
    assert check.content_changed_since_approval
    # The approvals that signed the revision stay its record.
    assert check.counting_approvals == 1
    assert check.approvals[0].outdated


def test_approval_notifies_the_contributors_and_submit_notifies_reviewers_and_approvers(
    assessment, contributor, reviewer, approver, approver2, owner, viewer
):
    make_ready(assessment, contributor)
    workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assert set(Notification.objects.filter(kind="review_requested").values_list("recipient__username", flat=True)) == {
        "bob",
        "carol",
        "dave",
        "olivia",
    }
    workflow.assessment_approve(assessment_id=assessment.pk, by=approver)
    assert set(Notification.objects.filter(kind="approved").values_list("recipient__username", flat=True)) == {"alice"}
    assert not Notification.objects.filter(recipient=viewer).exists()
