"""The assessment workflow as data: states, the one table of allowed transitions, and who may take each.

Pure: no database access. The services in assessments/services/workflow.py apply it (lock, check the
table and the guards, write, audit, notify), and the status panel renders its buttons from it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from assessments import permissions
from assessments.errors import ContentFrozen
from assessments.models import Status


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str  # for approve: the status once the last required approval is in
    capability: Callable[..., bool]
    capability_text: str


SUBMIT = "submit"
REQUEST_CHANGES = "request_changes"
APPROVE = "approve"
START_REVISION = "start_revision"
ARCHIVE = "archive"

TRANSITIONS: dict[str, Transition] = {
    SUBMIT: Transition(
        SUBMIT,
        "Submit for review",
        frozenset({Status.DRAFT, Status.CHANGES_REQUESTED}),
        Status.IN_REVIEW,
        permissions.can_contribute,
        "Only contributors, reviewers, approvers and owners can submit.",
    ),
    REQUEST_CHANGES: Transition(
        REQUEST_CHANGES,
        "Request changes",
        frozenset({Status.IN_REVIEW}),
        Status.CHANGES_REQUESTED,
        permissions.can_review,
        "Only reviewers, approvers and owners can request changes.",
    ),
    APPROVE: Transition(
        APPROVE,
        "Approve",
        frozenset({Status.IN_REVIEW}),
        Status.APPROVED,
        permissions.can_approve,
        "Only approvers and owners can approve.",
    ),
    START_REVISION: Transition(
        START_REVISION,
        "Start a new revision",
        frozenset({Status.APPROVED}),
        Status.DRAFT,
        permissions.can_contribute,
        "Only contributors and above can start a revision.",
    ),
    ARCHIVE: Transition(
        ARCHIVE,
        "Archive",
        frozenset({Status.DRAFT, Status.CHANGES_REQUESTED, Status.APPROVED, Status.SUPERSEDED}),
        Status.ARCHIVED,
        permissions.can_manage,
        "Only project owners can archive.",
    ),
}

# Not a user action: approving revision n+1 moves revision n here.
SUPERSEDE_SOURCES = frozenset({Status.APPROVED})

EDITABLE_STATUSES = frozenset({Status.DRAFT, Status.CHANGES_REQUESTED})
# Progress on mitigations (status, owner, due date, ticket) is tracked after sign-off too: it is not part
# of the signed content (the snapshot leaves it out), and ticketing sync must keep working.
TRACKING_STATUSES = frozenset({Status.DRAFT, Status.IN_REVIEW, Status.CHANGES_REQUESTED, Status.APPROVED})


def is_editable(status: str) -> bool:
    return status in EDITABLE_STATUSES


def ensure_editable(assessment) -> None:
    """Every write to an assessment's content calls this first."""
    if not is_editable(assessment.status):
        label = Status(assessment.status).label.lower()
        hint = (
            " Start a new revision to change it."
            if assessment.status == Status.APPROVED
            else " Ask a reviewer to request changes first."
            if assessment.status == Status.IN_REVIEW
            else ""
        )
        raise ContentFrozen(
            f"“{assessment.title}” revision {assessment.revision} is {label}; its content can only change "
            f"in draft or after changes are requested.{hint}"
        )


def ensure_trackable(assessment) -> None:
    if assessment.status not in TRACKING_STATUSES:
        label = Status(assessment.status).label.lower()
        raise ContentFrozen(
            f"“{assessment.title}” revision {assessment.revision} is {label}; nothing in it can change any more."
        )


def allowed_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]
