"""Bringing an assessment into each workflow state through the real services (shared by the sign-off tests)."""

from assessments.models import Assessment, Status
from assessments.services import workflow
from hazards import services
from tests.factories import make_hazard


def make_ready(assessment: Assessment, contributor) -> Assessment:
    """A draft that can be submitted: one scenario at High residual risk, mitigated."""
    scenario = make_hazard(assessment, contributor, residual_likelihood=4, residual_severity=4)
    services.mitigation_create(
        assessment_id=assessment.pk,
        by=contributor,
        title="SAST gate",
        kind="technical_control",
        hazard_ids=[scenario.pk],
    )
    return assessment


def reach(status: str, assessment: Assessment, *, contributor, reviewer, approver, owner) -> Assessment:
    """The assessment (made ready first) in `status`; alice submits, bob requests changes, carol approves.

    Expects the project to need one approval.
    """
    make_ready(assessment, contributor)
    pk = assessment.pk
    if status in (Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED, Status.SUPERSEDED):
        workflow.assessment_submit(assessment_id=pk, by=contributor)
    if status == Status.CHANGES_REQUESTED:
        workflow.assessment_request_changes(assessment_id=pk, by=reviewer, comment="Rate H-001 again.")
    if status in (Status.APPROVED, Status.SUPERSEDED):
        workflow.assessment_approve(assessment_id=pk, by=approver)
    if status == Status.SUPERSEDED:
        revision = workflow.assessment_start_revision(assessment_id=pk, by=contributor)
        workflow.assessment_submit(assessment_id=revision.pk, by=contributor)
        workflow.assessment_approve(assessment_id=revision.pk, by=approver)
    if status == Status.ARCHIVED:
        workflow.assessment_archive(assessment_id=pk, by=owner)
    reached = Assessment.objects.get(pk=pk)
    assert reached.status == status
    return reached
