"""The workflow's main path through the services: submit, approve with four eyes and quorum, revise."""

import pytest
from django.core.exceptions import PermissionDenied

from assessments import snapshot
from assessments.errors import InvalidTransition
from assessments.models import AuditEvent, Notification, Status
from assessments.services import workflow
from hazards import services
from tests.factories import make_hazard


@pytest.fixture
def ready(assessment, contributor):
    """An assessment that can be submitted: one scenario, rated, mitigated."""
    scenario = make_hazard(assessment, contributor, residual_likelihood=4, residual_severity=4)
    services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="SAST gate",
        kind="technical_control",
        hazard_ids=[scenario.pk],
    )
    return assessment


def test_submit_freezes_the_content_hash_and_notifies_reviewers(ready, contributor, reviewer, approver, owner):
    assessment = workflow.assessment_submit(assessment_id=ready.pk, by=contributor)
    assert assessment.status == Status.IN_REVIEW
    assert assessment.content_hash == snapshot.build(assessment)[1]
    assert assessment.snapshots.get().sha256 == assessment.content_hash
    notified = set(Notification.objects.filter(kind="review_requested").values_list("recipient__username", flat=True))
    assert notified == {"bob", "carol", "dave", "olivia"}
    assert AuditEvent.objects.filter(action="assessment.submitted").exists()


def test_submit_explains_what_is_missing(assessment, contributor):
    with pytest.raises(InvalidTransition, match="at least one hazard scenario"):
        workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    make_hazard(assessment, contributor, residual_likelihood=None)
    make_hazard(assessment, contributor, residual_likelihood=5, residual_severity=5)
    with pytest.raises(InvalidTransition) as excinfo:
        workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    message = str(excinfo.value)
    assert "1 scenario is not fully rated (inherent and residual): H-001." in message
    assert "1 scenario at Serious residual risk or above has no mitigation or accepted risk: H-002." in message


def test_two_distinct_approvers_are_needed_and_the_submitter_cannot_approve(
    ready, project, contributor, owner, approver, approver2
):
    project.required_approvals = 2
    project.save()
    workflow.assessment_submit(assessment_id=ready.pk, by=approver)
    with pytest.raises(PermissionDenied, match="Only approvers and owners can approve"):
        workflow.assessment_approve(assessment_id=ready.pk, by=contributor)
    with pytest.raises(InvalidTransition, match="four eyes"):
        workflow.assessment_approve(assessment_id=ready.pk, by=approver)
    first = workflow.assessment_approve(assessment_id=ready.pk, by=approver2)
    assert first.status == Status.IN_REVIEW
    with pytest.raises(InvalidTransition, match="already approved"):
        workflow.assessment_approve(assessment_id=ready.pk, by=approver2)
    final = workflow.assessment_approve(assessment_id=ready.pk, by=owner)
    assert final.status == Status.APPROVED
    assert final.approved_snapshot.sha256 == final.content_hash


def test_a_new_revision_copies_the_content_and_its_approval_supersedes_the_old(ready, contributor, approver, reviewer):
    workflow.assessment_submit(assessment_id=ready.pk, by=contributor)
    workflow.assessment_approve(assessment_id=ready.pk, by=approver)
    revision = workflow.assessment_start_revision(assessment_id=ready.pk, by=contributor)
    assert (revision.revision, revision.status, revision.previous_id) == (2, Status.DRAFT, ready.pk)
    assert [s.ref for s in revision.scenarios.all()] == ["H-001"]
    assert revision.mitigations.get().scenarios.get().ref == "H-001"
    assert snapshot.content(revision)["scenarios"] == snapshot.content(ready)["scenarios"]
    assert make_hazard(revision, contributor).ref == "H-002"
    workflow.assessment_submit(assessment_id=revision.pk, by=contributor)
    workflow.assessment_approve(assessment_id=revision.pk, by=approver)
    ready.refresh_from_db()
    assert ready.status == Status.SUPERSEDED


def test_an_uncovered_scenario_exactly_at_the_signoff_level_blocks_submit(assessment, contributor):
    # Probable × Moderate is the lowest Serious cell of the default matrix: the boundary itself needs cover.
    scenario = make_hazard(assessment, contributor, residual_likelihood=4, residual_severity=3)
    assert scenario.residual_level == "serious"
    with pytest.raises(InvalidTransition) as excinfo:
        workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assert "1 scenario at Serious residual risk or above has no mitigation or accepted risk: H-001." in str(
        excinfo.value
    )
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT
    assert not AuditEvent.objects.filter(action="assessment.submitted").exists()


def test_an_uncovered_scenario_just_below_the_signoff_level_submits(assessment, contributor):
    scenario = make_hazard(assessment, contributor, residual_likelihood=3, residual_severity=3)
    assert scenario.residual_level == "medium"
    submitted = workflow.assessment_submit(assessment_id=assessment.pk, by=contributor)
    assert submitted.status == Status.IN_REVIEW
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1
