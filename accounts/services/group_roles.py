"""Project roles from the identity provider's group claim (OIDC_GROUP_ROLE_MAP), applied at each SSO sign-in.

Only memberships this mapping created (marked by a GroupRoleGrant) are ever changed or removed by it: a
membership an owner added by hand stays as it is, whatever the groups say. A grant whose group is gone
is removed, unless it is the project's last owner (a project always keeps one).
"""

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.text import slugify

from accounts import groupmap
from accounts.models import GroupRoleGrant
from assessments import audit, permissions
from assessments.models import ROLE_RANK, Membership, Project, Role, Via

logger = logging.getLogger(__name__)


def _projects_by_key(keys: set[str]) -> dict[str, Project]:
    if not keys:
        return {}
    found: dict[str, Project] = {}
    ids = {int(k) for k in keys if k.isdigit()}
    for project in Project.objects.filter(pk__in=ids):
        found[str(project.pk)] = project
    slugs = {k for k in keys if not k.isdigit()}
    if slugs:
        by_slug: dict[str, list[Project]] = {}
        for project in Project.objects.only("id", "name"):
            by_slug.setdefault(slugify(project.name), []).append(project)
        for slug in slugs:
            candidates = by_slug.get(slug, [])
            if len(candidates) == 1:
                found[slug] = candidates[0]
            else:
                logger.warning("OIDC_GROUP_ROLE_MAP: %d projects have the slug %r; skipped", len(candidates), slug)
    return found


def _wanted_roles(groups: list[str]) -> dict[int, tuple[str, str]]:
    """{project id: (role, group)}, the highest role when several groups name one project."""
    rules = [rule for rule in groupmap.parse(settings.OIDC_GROUP_ROLE_MAP) if rule.group in set(groups)]
    projects = _projects_by_key({rule.project for rule in rules})
    wanted: dict[int, tuple[str, str]] = {}
    for rule in rules:
        project = projects.get(rule.project)
        if project is None:
            continue
        current = wanted.get(project.pk)
        if current is None or ROLE_RANK[Role(rule.role)] > ROLE_RANK[Role(current[0])]:
            wanted[project.pk] = (rule.role, rule.group)
    return wanted


def _record(user: User, action: str, membership: Membership, changes: dict) -> None:
    audit.record(
        actor=user,
        via=Via.WEB,
        action=action,
        project=membership.project,
        obj=membership,
        object_ref=user.get_username(),
        changes=changes,
    )


@transaction.atomic
def group_roles_apply(*, user: User, groups: list[str]) -> dict[int, str]:
    """Bring the mapped memberships of `user` in line with `groups`; returns {project id: role} now mapped."""
    if not settings.OIDC_GROUP_ROLE_MAP:
        return {}
    wanted = _wanted_roles(groups)
    # Locks the memberships only (the grant is the nullable side of a join, which cannot be locked).
    mine = Membership.objects.select_for_update(of=("self",)).select_related("project", "group_grant")
    memberships = {m.project_id: m for m in mine.filter(user=user)}
    for project_id, (role, group) in wanted.items():
        membership = memberships.get(project_id)
        if membership is None:
            membership = Membership.objects.create(project_id=project_id, user=user, role=role)
            GroupRoleGrant.objects.create(membership=membership, group=group)
            _record(user, "membership.created", membership, {"user": [None, user.get_username()], "role": [None, role]})
            continue
        grant = getattr(membership, "group_grant", None)
        if grant is None or membership.role == role:
            continue
        before = membership.role
        Membership.objects.filter(pk=membership.pk).update(role=role, version=membership.version + 1)
        membership.refresh_from_db()
        if grant.group != group:
            grant.group = group
            grant.save(update_fields=["group"])
        _record(user, "membership.updated", membership, {"role": [before, role]})
    for project_id, membership in memberships.items():
        if project_id in wanted or getattr(membership, "group_grant", None) is None:
            continue
        if membership.role == Role.OWNER and not (
            Membership.objects.filter(project_id=project_id, role=Role.OWNER).exclude(pk=membership.pk).exists()
        ):
            logger.warning("Kept %s: the group is gone but they are the project's last owner", membership)
            continue
        _record(
            user,
            "membership.deleted",
            membership,
            {"user": [user.get_username(), None], "role": [membership.role, None]},
        )
        membership.delete()
    permissions.forget_roles(user)
    return {project_id: role for project_id, (role, _) in wanted.items()}
