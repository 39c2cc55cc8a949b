"""Write operations on an assessment's own fields (its context, dates and matrix)."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from assessments import audit, permissions, workflow
from assessments.errors import InvalidInput
from assessments.models import SPEC_LEVELS, Assessment, DeploymentChannel, Project, ReviewPractice, UserExpertise, Via
from assessments.versioning import check_version, lock, save_versioned
from hazards import scoring

CONTEXT_FIELDS = [
    "title",
    "model_name",
    "model_version",
    "deployment_channel",
    "user_population",
    "application_domain",
    "scope",
]
# What the deployment's users ask for and how its code is reviewed: the likelihood rule of the capability
# evidence reads them (evaluations.likelihood). Part of the signed context, like the fields above.
CAPABILITY_FIELDS = ["typical_spec_level", "typical_chain_steps", "user_expertise", "review_practice"]
CHAIN_STEPS_MAX = 13
# Dates are planning data, not signed content: they change while the revision is in force, like mitigation
# progress (workflow.TRACKING_STATUSES), and no more once it is superseded or archived.
DATE_FIELDS = ["due_date", "next_review_date"]
_MAX_LENGTHS = {"title": 200, "model_name": 200, "model_version": 100}


def _clean(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    for field, value in list(changes.items()):
        if field in CONTEXT_FIELDS:
            value = (value or "").strip()
            changes[field] = value
            if field in _MAX_LENGTHS and len(value) > _MAX_LENGTHS[field]:
                errors[field] = [f"Keep this under {_MAX_LENGTHS[field]} characters."]
        elif field in CAPABILITY_FIELDS:
            problem = _capability_problem(field, value)
            if problem:
                errors[field] = [problem]
            elif value == "" and field.startswith("typical_"):
                changes[field] = None
        elif field in DATE_FIELDS and value is not None and not isinstance(value, datetime.date):
            errors[field] = ["Enter a valid date."]
    if "title" in changes and not changes["title"]:
        errors["title"] = ["An assessment needs a title."]
    if changes.get("deployment_channel") and changes["deployment_channel"] not in DeploymentChannel.values:
        errors["deployment_channel"] = [f"Choose one of: {', '.join(DeploymentChannel.values)}."]
    if errors:
        raise InvalidInput(errors)
    return changes


def _capability_problem(field: str, value) -> str | None:
    if field in ("user_expertise", "review_practice"):
        choices = UserExpertise if field == "user_expertise" else ReviewPractice
        if value not in ("", *choices.values):
            return f"Choose one of: {', '.join(choices.values)}, or leave it empty."
        return None
    if value in (None, ""):
        return None
    high = len(SPEC_LEVELS) if field == "typical_spec_level" else CHAIN_STEPS_MAX
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        return f"Choose a whole number from 1 to {high}, or leave it empty."
    return None


@transaction.atomic
def assessment_create(
    *, project_id: int, by: User, title: str, via: str = Via.WEB, matrix: dict | None = None, **fields
) -> Assessment:
    """Create revision 1 of a new assessment, rated on a copy of the project's current matrix.

    `matrix` (used when importing an export) rates it on that matrix instead, so imported ratings keep
    their meaning even if the project's matrix changed since.
    """
    project = Project.objects.get(pk=project_id)
    if not permissions.can_contribute(by, project):
        raise PermissionDenied("Only contributors and above can create assessments.")
    unknown = set(fields) - {*CONTEXT_FIELDS, *CAPABILITY_FIELDS, *DATE_FIELDS}
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    values = _clean({"title": title, **fields})
    if matrix is not None:
        try:
            scoring.validate(matrix)
        except scoring.MatrixError as exc:
            raise InvalidInput({"matrix": exc.problems}) from None
    assessment = Assessment.objects.create(
        project=project, matrix=matrix if matrix is not None else project.matrix, created_by=by, **values
    )
    audit.record(
        actor=by,
        via=via,
        action="assessment.created",
        project=project,
        assessment=assessment,
        obj=assessment,
        object_ref=f"rev {assessment.revision}",
        changes=audit.snapshot_fields(assessment, list(values)),
    )
    return assessment


@transaction.atomic
def assessment_update(
    *, assessment_id: int, by: User, expected_version: int | None, via: str = Via.WEB, **changes
) -> Assessment:
    assessment = lock(Assessment, assessment_id)
    if not permissions.can_contribute(by, assessment.project):
        raise PermissionDenied("Only contributors and above can edit an assessment.")
    unknown = set(changes) - {*CONTEXT_FIELDS, *CAPABILITY_FIELDS, *DATE_FIELDS}
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    if set(changes) & {*CONTEXT_FIELDS, *CAPABILITY_FIELDS}:
        workflow.ensure_editable(assessment)
    else:
        workflow.ensure_trackable(assessment)
    check_version(assessment, expected_version)
    diff = audit.field_changes(assessment, _clean(changes))
    if not diff:
        return assessment
    save_versioned(assessment, assessment.version, {field: changes[field] for field in diff})
    audit.record(
        actor=by,
        via=via,
        action="assessment.updated",
        project=assessment.project,
        assessment=assessment,
        obj=assessment,
        object_ref=f"rev {assessment.revision}",
        changes=diff,
    )
    return assessment
