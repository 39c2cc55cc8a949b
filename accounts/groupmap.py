"""Reading OIDC_GROUP_ROLE_MAP: which identity-provider group gives which role in which project (pure)."""

from dataclasses import dataclass

from assessments.models import Role


class GroupMapError(ValueError):
    pass


@dataclass(frozen=True)
class RoleRule:
    group: str
    project: str  # a project's id, or the slug of its name ("Acme rollout" → "acme-rollout")
    role: str


def parse(raw: str) -> list[RoleRule]:
    """`group=project:role,group=project:role`; a group may appear several times (several projects)."""
    rules = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        group, equals, target = item.partition("=")
        project, colon, role = target.partition(":")
        group, project, role = group.strip(), project.strip(), role.strip().lower()
        if not (equals and colon and group and project and role):
            raise GroupMapError(f"{item!r} is not group=project:role")
        if role not in Role.values:
            raise GroupMapError(f"{item!r}: the role must be one of {', '.join(Role.values)}")
        rules.append(RoleRule(group=group, project=project, role=role))
    return rules
