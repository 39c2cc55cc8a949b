"""Comments on an assessment or one of its scenarios, with @mentions that notify."""

import re

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from assessments import audit, permissions
from assessments.errors import InvalidInput
from assessments.models import Assessment, Via
from assessments.services.notifications import notify
from hazards.models import Comment, HazardScenario

MAX_BODY = 10_000
# "@alice" but not "bob@example.com"; usernames may hold letters, digits and . + - _
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def mentioned_members(assessment: Assessment, body: str) -> list[User]:
    names = {name.rstrip(".") for name in MENTION.findall(body)}
    if not names:
        return []
    return list(
        User.objects.filter(username__in=names, is_active=True, memberships__project=assessment.project_id).distinct()
    )


@transaction.atomic
def comment_create(
    *, assessment_id: int, by: User, body: str, hazard_id: int | None = None, via: str = Via.WEB
) -> Comment:
    assessment = Assessment.objects.select_related("project").get(pk=assessment_id)
    if not permissions.can_comment(by, assessment.project):
        raise PermissionDenied("Viewers can read comments but not write them.")
    body = (body or "").strip()
    if not body:
        raise InvalidInput({"body": ["Write something first."]})
    if len(body) > MAX_BODY:
        raise InvalidInput({"body": [f"Keep comments under {MAX_BODY:,} characters."]})
    scenario = None
    if hazard_id is not None:
        scenario = HazardScenario.objects.filter(pk=hazard_id, assessment=assessment).first()
        if scenario is None:
            raise InvalidInput({"hazard": ["That scenario is not in this assessment."]})
    comment = Comment.objects.create(assessment=assessment, scenario=scenario, author=by, body=body)
    mentioned = mentioned_members(assessment, body)
    comment.mentions.set(mentioned)
    target = f"{scenario.ref} {scenario.title}" if scenario else f"“{assessment.title}” (rev. {assessment.revision})"
    audit.record(
        actor=by,
        via=via,
        action="comment.created",
        project=assessment.project,
        assessment=assessment,
        obj=comment,
        object_ref=scenario.ref if scenario else f"rev {assessment.revision}",
        changes={"body": [None, body], "mentions": [None, sorted(u.username for u in mentioned)]},
    )
    excerpt = body if len(body) <= 140 else body[:139] + "…"
    notify(
        recipients=mentioned,
        exclude=[by],
        project=assessment.project,
        kind="mention",
        cause=f"comment:{comment.pk}:mention",
        message=f"{by.get_username()} mentioned you on {target}: {excerpt}",
        url=f"/hazards/{scenario.pk}/#comment-{comment.pk}"
        if scenario
        else f"/assessments/{assessment.pk}/#comment-{comment.pk}",
    )
    return comment
