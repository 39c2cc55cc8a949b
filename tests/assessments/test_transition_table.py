"""Every transition from every state by every role: allowed where the rules say, refused with the reason elsewhere.

The expectations are written out here independently of assessments/workflow.py, so a change to the
table that the rules do not allow fails this test.
"""

import pytest
from django.core.exceptions import PermissionDenied

from assessments.errors import InvalidInput, InvalidTransition
from assessments.models import Assessment, AuditEvent, Status
from assessments.services import workflow
from tests.assessments.workflow_states import reach
from tests.factories import make_hazard

STATES = [
    Status.DRAFT,
    Status.IN_REVIEW,
    Status.CHANGES_REQUESTED,
    Status.APPROVED,
    Status.SUPERSEDED,
    Status.ARCHIVED,
]
ROLES = ["viewer", "contributor", "reviewer", "approver", "owner", "outsider"]
RANK = {"outsider": -1, "viewer": 0, "contributor": 1, "reviewer": 2, "approver": 3, "owner": 4}

# transition: (states it may start from, lowest role that may take it, label in refusals, audit action)
RULES = {
    "submit": (
        {Status.DRAFT, Status.CHANGES_REQUESTED},
        "contributor",
        "submit for review",
        "assessment.submitted",
    ),
    "request_changes": ({Status.IN_REVIEW}, "reviewer", "request changes", "assessment.changes_requested"),
    "approve": ({Status.IN_REVIEW}, "approver", "approve", "assessment.approved"),
    "start_revision": ({Status.APPROVED}, "contributor", "start a new revision", "assessment.revision_started"),
    "archive": (
        {Status.DRAFT, Status.CHANGES_REQUESTED, Status.APPROVED, Status.SUPERSEDED},
        "owner",
        "archive",
        "assessment.archived",
    ),
}
PERMISSION_TEXT = {
    "submit": "Only contributors, reviewers, approvers and owners can submit.",
    "request_changes": "Only reviewers, approvers and owners can request changes.",
    "approve": "Only approvers and owners can approve.",
    "start_revision": "Only contributors and above can start a revision.",
    "archive": "Only project owners can archive.",
}
RESULT = {
    "submit": Status.IN_REVIEW,
    "request_changes": Status.CHANGES_REQUESTED,
    "approve": Status.APPROVED,
    "archive": Status.ARCHIVED,
}


def call(transition: str, assessment: Assessment, user) -> Assessment:
    pk = assessment.pk
    if transition == "submit":
        return workflow.assessment_submit(assessment_id=pk, by=user)
    if transition == "request_changes":
        return workflow.assessment_request_changes(assessment_id=pk, by=user, comment="Please rework H-001.")
    if transition == "approve":
        return workflow.assessment_approve(assessment_id=pk, by=user)
    if transition == "start_revision":
        return workflow.assessment_start_revision(assessment_id=pk, by=user)
    return workflow.assessment_archive(assessment_id=pk, by=user)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("transition", list(RULES))
@pytest.mark.parametrize("state", STATES)
def test_each_transition_from_each_state_by_each_role(
    state, transition, role, request, project, assessment, contributor, reviewer, approver, owner
):
    start = reach(state, assessment, contributor=contributor, reviewer=reviewer, approver=approver, owner=owner)
    user = request.getfixturevalue(role)
    sources, minimum, label, action = RULES[transition]
    events_before = AuditEvent.objects.count()
    actions_before = AuditEvent.objects.filter(action=action, actor=user).count()

    if state not in sources:
        with pytest.raises(InvalidTransition) as refused:
            call(transition, start, user)
        assert str(refused.value) == f"Cannot {label} an assessment that is {Status(state).label.lower()}."
    elif RANK[role] < RANK[minimum]:
        with pytest.raises(PermissionDenied) as refused:
            call(transition, start, user)
        assert str(refused.value) == PERMISSION_TEXT[transition]
    else:
        result = call(transition, start, user)
        if transition == "start_revision":
            assert (result.revision, result.status, result.previous_id) == (2, Status.DRAFT, start.pk)
            assert Assessment.objects.get(pk=start.pk).status == Status.APPROVED
        else:
            assert Assessment.objects.get(pk=start.pk).status == RESULT[transition]
        assert AuditEvent.objects.filter(action=action, actor=user).count() == actions_before + 1
        return

    assert Assessment.objects.get(pk=start.pk).status == state
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("state", STATES)
def test_the_status_panel_offers_exactly_what_the_rules_allow_the_role(
    state, role, request, project, assessment, contributor, reviewer, approver, owner
):
    start = reach(state, assessment, contributor=contributor, reviewer=reviewer, approver=approver, owner=owner)
    user = request.getfixturevalue(role)
    offered = {option.name for option in workflow.transition_options(user=user, assessment=start)}
    expected = {
        name for name, (sources, minimum, _, _) in RULES.items() if state in sources and RANK[role] >= RANK[minimum]
    }
    assert offered == expected


def test_the_panel_says_why_an_offered_transition_is_disabled(
    project, assessment, contributor, reviewer, approver, owner
):
    make_hazard(assessment, contributor, residual_likelihood=5, residual_severity=5)
    make_hazard(assessment, contributor, residual_likelihood=5, residual_severity=4)
    (submit, archive) = workflow.transition_options(user=owner, assessment=assessment)
    assert (submit.name, submit.enabled) == ("submit", False)
    assert submit.reason == (
        "2 scenarios at Serious residual risk or above have no mitigation or accepted risk: H-001, H-002."
    )
    assert (archive.name, archive.enabled, archive.reason) == ("archive", True, "")


def test_request_changes_needs_a_comment(project, assessment, contributor, reviewer, approver, owner):
    start = reach(
        Status.IN_REVIEW, assessment, contributor=contributor, reviewer=reviewer, approver=approver, owner=owner
    )
    with pytest.raises(InvalidInput) as refused:
        workflow.assessment_request_changes(assessment_id=start.pk, by=reviewer, comment="   ")
    assert refused.value.errors == {"comment": ["Say what needs to change."]}
    assert Assessment.objects.get(pk=start.pk).status == Status.IN_REVIEW


def test_a_second_revision_cannot_be_started_from_the_same_approved_one(
    project, assessment, contributor, reviewer, approver, owner
):
    start = reach(
        Status.APPROVED, assessment, contributor=contributor, reviewer=reviewer, approver=approver, owner=owner
    )
    workflow.assessment_start_revision(assessment_id=start.pk, by=contributor)
    with pytest.raises(InvalidTransition, match=r"Revision 2 already exists; continue there\."):
        workflow.assessment_start_revision(assessment_id=start.pk, by=owner)
    assert Assessment.objects.filter(lineage=start.lineage).count() == 2
