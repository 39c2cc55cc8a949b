"""Reading attachments, always scoped to the user's projects: one object, a target's list, an API list."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from hazards.models import Attachment
from hazards.selectors import visible_to


def visible(user: User) -> QuerySet[Attachment]:
    return Attachment.objects.filter(visible_to(user)).select_related(
        "assessment__project", "scenario", "mitigation", "created_by"
    )


def attachment_get(*, user: User, attachment_id) -> Attachment:
    try:
        return visible(user).get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such attachment.") from None


def attachments_of(*, user: User, scenario=None, mitigation=None) -> list[Attachment]:
    """A scenario's or a mitigation's evidence, oldest first (one query)."""
    target = {"scenario": scenario} if scenario is not None else {"mitigation": mitigation}
    return list(
        Attachment.objects.filter(visible_to(user), **target).select_related("created_by").order_by("created_at", "id")
    )


def attachment_sync_list(
    *,
    user: User,
    project_id: int | None = None,
    assessment_id: int | None = None,
    hazard_id: int | None = None,
    mitigation_id: int | None = None,
    kind: str | None = None,
) -> QuerySet[Attachment]:
    qs = visible(user).order_by()
    for value, field in (
        (project_id, "assessment__project_id"),
        (assessment_id, "assessment_id"),
        (hazard_id, "scenario_id"),
        (mitigation_id, "mitigation_id"),
        (kind, "kind"),
    ):
        if value is not None:
            qs = qs.filter(**{field: value})
    return qs
