"""Who may do what in a project: one named function per capability, used by views, the API and templates."""

from django.contrib.auth.models import AnonymousUser, User

from assessments.models import ROLE_RANK, Membership, Project, Role

_CACHE_ATTR = "_hazlog_roles"
_KNOWN_ATTR = "_hazlog_known_roles"


def role_in(user: User | AnonymousUser, project: Project | int) -> Role | None:
    """The user's role in a project, or None for outsiders. Staff get no implicit access.

    Roles are cached on the user object, which lives for one request or task; the membership
    services drop the cache of the user objects they touch.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    project_id = project if isinstance(project, int) else project.pk
    known = getattr(user, _KNOWN_ATTR, None)
    if known is not None and project_id in known:
        return known[project_id]
    roles = getattr(user, _CACHE_ATTR, None)
    if roles is None:
        # One query per user object (a request) for every project they belong to.
        roles = dict(Membership.objects.filter(user=user).values_list("project_id", "role"))
        setattr(user, _CACHE_ATTR, roles)
    role = roles.get(project_id)
    return Role(role) if role else None


def remember_role(user: User, project_id: int, role: str) -> None:
    """Seed the per-request cache with the user's role in one project, read along with another row.

    A page that reads its assessment through the user's membership gets the role in the same query, so the
    capability checks of that project need no query of their own. The cache has the lifetime and the
    invalidation (forget_roles) of role_in's own.
    """
    known = getattr(user, _KNOWN_ATTR, None)
    if known is None:
        known = {}
        setattr(user, _KNOWN_ATTR, known)
    known[project_id] = Role(role)


def forget_roles(*users: User) -> None:
    """Drop the per-request role cache of these user objects after a membership change.

    The services pass both the member changed and the acting user, so someone who demotes or removes
    themselves sees the change within the same request.
    """
    for user in users:
        for attr in (_CACHE_ATTR, _KNOWN_ATTR):
            if hasattr(user, attr):
                delattr(user, attr)


def _roles_from(role: Role) -> tuple[Role, ...]:
    return tuple(r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[role])


# The roles that hold a capability, for queries that find the people to notify, remind or list work for:
# the same ranks as can_review and can_approve, so owners are always included.
REVIEWERS = _roles_from(Role.REVIEWER)
APPROVERS = _roles_from(Role.APPROVER)


def _has_at_least(user, project, role: Role) -> bool:
    current = role_in(user, project)
    return current is not None and ROLE_RANK[current] >= ROLE_RANK[role]


def can_view(user, project) -> bool:
    return role_in(user, project) is not None


def can_contribute(user, project) -> bool:
    """Create and edit scenarios, consequences, mitigations and assessment context."""
    return _has_at_least(user, project, Role.CONTRIBUTOR)


def can_comment(user, project) -> bool:
    """Viewers read; everyone from contributor up may discuss."""
    return _has_at_least(user, project, Role.CONTRIBUTOR)


def can_review(user, project) -> bool:
    """Request changes on an assessment in review."""
    return _has_at_least(user, project, Role.REVIEWER)


def can_approve(user, project) -> bool:
    """Sign off assessments and accept residual risk."""
    return _has_at_least(user, project, Role.APPROVER)


def can_accept_risk(user, project) -> bool:
    return can_approve(user, project)


def can_manage(user, project) -> bool:
    """Members, settings, the risk matrix, webhooks, archiving."""
    return _has_at_least(user, project, Role.OWNER)
