"""Write operations on projects and their members."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from assessments import audit, permissions
from assessments.errors import InvalidInput
from assessments.models import Membership, Project, Role, Via
from assessments.versioning import check_version, lock, save_versioned
from hazards import scoring

PROJECT_FIELDS = ["name", "description", "required_approvals", "review_cadence_days", "max_acceptance_days"]


def _clean_project(changes: dict) -> dict:
    errors: dict[str, list[str]] = {}
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            errors["name"] = ["A project needs a name."]
        elif len(changes["name"]) > 200:
            errors["name"] = ["Keep the name under 200 characters."]
    if "required_approvals" in changes and not (
        isinstance(changes["required_approvals"], int) and 1 <= changes["required_approvals"] <= 10
    ):
        errors["required_approvals"] = ["Required approvals must be between 1 and 10."]
    for field in ("review_cadence_days", "max_acceptance_days"):
        if field in changes and not (isinstance(changes[field], int) and 1 <= changes[field] <= 3650):
            errors[field] = ["Enter a number of days between 1 and 3650."]
    if "matrix" in changes:
        try:
            scoring.validate(changes["matrix"])
        except scoring.MatrixError as exc:
            errors["matrix"] = exc.problems
    if errors:
        raise InvalidInput(errors)
    return changes


@transaction.atomic
def project_create(
    *,
    by: User,
    name: str,
    description: str = "",
    matrix_preset: str = scoring.DEFAULT_PRESET,
    required_approvals: int = 1,
    review_cadence_days: int = 180,
    max_acceptance_days: int = 365,
    via: str = Via.WEB,
) -> Project:
    """Create a project; its creator becomes its owner."""
    try:
        matrix = scoring.preset(matrix_preset)
    except scoring.MatrixError as exc:
        raise InvalidInput({"matrix_preset": exc.problems}) from None
    fields = _clean_project(
        {
            "name": name,
            "description": description,
            "required_approvals": required_approvals,
            "review_cadence_days": review_cadence_days,
            "max_acceptance_days": max_acceptance_days,
        }
    )
    project = Project.objects.create(**fields, matrix=matrix, created_by=by)
    Membership.objects.create(project=project, user=by, role=Role.OWNER)
    permissions.forget_roles(by)
    audit.record(
        actor=by,
        via=via,
        action="project.created",
        project=project,
        obj=project,
        changes=audit.snapshot_fields(project, [*PROJECT_FIELDS, "matrix"]),
    )
    return project


@transaction.atomic
def project_update(
    *, project_id: int, by: User, expected_version: int | None, via: str = Via.WEB, **changes
) -> Project:
    """Change settings; `matrix_preset` replaces the matrix with a preset, `matrix` with an edited one.

    New assessments copy the project's matrix; existing assessments keep their own copy.
    """
    project = lock(Project, project_id)
    if not permissions.can_manage(by, project):
        raise PermissionDenied("Only project owners can change project settings.")
    check_version(project, expected_version)
    unknown = set(changes) - {*PROJECT_FIELDS, "matrix", "matrix_preset"}
    if unknown:
        raise InvalidInput({"__all__": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    if "matrix_preset" in changes:
        try:
            changes["matrix"] = scoring.preset(changes.pop("matrix_preset"))
        except scoring.MatrixError as exc:
            raise InvalidInput({"matrix_preset": exc.problems}) from None
    changes = _clean_project(changes)
    diff = audit.field_changes(project, changes)
    if not diff:
        return project
    save_versioned(project, project.version, {field: changes[field] for field in diff})
    audit.record(actor=by, via=via, action="project.updated", project=project, obj=project, changes=diff)
    return project


def _user_label(user: User) -> str:
    return user.get_username()


def _owner_count(project: Project) -> int:
    return project.memberships.filter(role=Role.OWNER).count()


@transaction.atomic
def membership_add(*, project_id: int, by: User, user: User, role: str, via: str = Via.WEB) -> Membership:
    project = lock(Project, project_id)
    if not permissions.can_manage(by, project):
        raise PermissionDenied("Only project owners can add members.")
    if role not in Role.values:
        raise InvalidInput({"role": [f"Choose one of: {', '.join(Role.values)}."]})
    if project.memberships.filter(user=user).exists():
        raise InvalidInput({"user": [f"{_user_label(user)} is already a member of this project."]})
    membership = Membership.objects.create(project=project, user=user, role=role)
    permissions.forget_roles(user, by)
    audit.record(
        actor=by,
        via=via,
        action="membership.created",
        project=project,
        obj=membership,
        object_ref=_user_label(user),
        changes={"user": [None, _user_label(user)], "role": [None, role]},
    )
    return membership


@transaction.atomic
def membership_change_role(
    *, membership_id: int, by: User, role: str, expected_version: int | None, via: str = Via.WEB
) -> Membership:
    membership = lock(Membership, membership_id)
    project = lock(Project, membership.project_id)
    if not permissions.can_manage(by, project):
        raise PermissionDenied("Only project owners can change roles.")
    check_version(membership, expected_version)
    if role not in Role.values:
        raise InvalidInput({"role": [f"Choose one of: {', '.join(Role.values)}."]})
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(project) == 1:
        raise InvalidInput({"role": ["A project needs at least one owner; make someone else owner first."]})
    diff = audit.field_changes(membership, {"role": role})
    if not diff:
        return membership
    save_versioned(membership, membership.version, {"role": role})
    permissions.forget_roles(membership.user, by)
    audit.record(
        actor=by,
        via=via,
        action="membership.updated",
        project=project,
        obj=membership,
        object_ref=_user_label(membership.user),
        changes=diff,
    )
    return membership


@transaction.atomic
def membership_remove(*, membership_id: int, by: User, expected_version: int | None = None, via: str = Via.WEB) -> None:
    membership = lock(Membership, membership_id)
    project = lock(Project, membership.project_id)
    if not permissions.can_manage(by, project):
        raise PermissionDenied("Only project owners can remove members.")
    check_version(membership, expected_version)
    if membership.role == Role.OWNER and _owner_count(project) == 1:
        raise InvalidInput({"__all__": ["A project needs at least one owner; make someone else owner first."]})
    audit.record(
        actor=by,
        via=via,
        action="membership.deleted",
        project=project,
        obj=membership,
        object_ref=_user_label(membership.user),
        changes={"user": [_user_label(membership.user), None], "role": [membership.role, None]},
    )
    permissions.forget_roles(membership.user, by)
    membership.delete()
