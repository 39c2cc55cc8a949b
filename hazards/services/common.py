"""What every register write starts with: lock the assessment, check the role and the workflow state."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import F

from assessments import permissions, workflow
from assessments.errors import InvalidInput
from assessments.models import Assessment
from assessments.versioning import lock


def lock_for_content(assessment_id: int, by: User, *, tracking_only: bool = False) -> Assessment:
    """Lock the assessment row for the rest of the transaction.

    Every content write takes this lock, and so does submitting: a write racing a submission either
    lands before the snapshot is built or is refused because the assessment is no longer editable.
    """
    assessment = lock(Assessment, assessment_id)
    bump_content_seq(assessment)
    if not permissions.can_contribute(by, assessment.project):
        raise PermissionDenied("Only contributors, reviewers, approvers and owners can change the register.")
    if tracking_only:
        workflow.ensure_trackable(assessment)
    else:
        workflow.ensure_editable(assessment)
    return assessment


def bump_content_seq(assessment: Assessment) -> None:
    """Under the assessment's lock: caches of figures derived from its content are keyed by this counter. A
    write refused later in the transaction rolls the bump back with everything else."""
    Assessment.objects.filter(pk=assessment.pk).update(content_seq=F("content_seq") + 1)
    assessment.content_seq += 1


def check_owner(assessment: Assessment, owner: User | None, errors: dict[str, list[str]], field: str = "owner"):
    if owner is not None and not permissions.can_view(owner, assessment.project_id):
        errors[field] = [f"{owner.get_username()} is not a member of this project."]


def check_text(changes: dict, field: str, errors: dict, *, required: bool = False, max_length: int | None = None):
    if field not in changes:
        return
    value = (changes[field] or "").strip()
    changes[field] = value
    if required and not value:
        errors[field] = ["This field is required."]
    elif max_length and len(value) > max_length:
        errors[field] = [f"Keep this under {max_length} characters."]


def check_choice(changes: dict, field: str, choices, errors: dict):
    if field in changes and changes[field] not in choices.values:
        errors[field] = [f"Choose one of: {', '.join(choices.values)}."]


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise InvalidInput(errors)


def reject_unknown(changes: dict, allowed) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
