"""Scoped reads across all of a user's projects, for the REST API and sync clients (filters, no paging).

Each returns a queryset the API pages by (updated_at, id); anything outside the user's projects is left
out of lists and is a 404 for single objects, exactly as in assessments/selectors.py.
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from assessments import selectors
from assessments.models import (
    ApiToken,
    Assessment,
    AuditEvent,
    Membership,
    Project,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
)


def project_sync_list(*, user: User) -> QuerySet[Project]:
    return selectors.project_list(user=user)


def membership_sync_list(*, user: User, project_id: int | None = None, role: str = "") -> QuerySet[Membership]:
    qs = Membership.objects.filter(project__memberships__user=user).select_related("user")
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if role:
        qs = qs.filter(role=role)
    return qs


def membership_get(*, user: User, pk: int) -> Membership:
    try:
        return Membership.objects.select_related("user", "project").get(pk=pk, project__memberships__user=user)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such membership.") from None


def assessment_sync_list(
    *, user: User, project_id: int | None = None, status: str = "", lineage=None
) -> QuerySet[Assessment]:
    qs = selectors.assessment_list(user=user).select_related("submitted_by")
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if status:
        qs = qs.filter(status=status)
    if lineage is not None:
        qs = qs.filter(lineage=lineage)
    return qs


def event_sync_list(
    *,
    user: User,
    project_id: int | None = None,
    assessment_id: int | None = None,
    object_type: str = "",
    object_id: int | None = None,
    actions: list[str] | None = None,
) -> QuerySet[AuditEvent]:
    qs = selectors.event_list(user=user)
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if assessment_id is not None:
        qs = qs.filter(assessment_id=assessment_id)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id is not None:
        qs = qs.filter(object_id=object_id)
    if actions:
        qs = qs.filter(action__in=actions)
    return qs


def event_get(*, user: User, pk: int) -> AuditEvent:
    try:
        return selectors.event_list(user=user).get(pk=pk)
    except (AuditEvent.DoesNotExist, ValueError, TypeError):
        raise Http404("No such event.") from None


def webhook_list(*, user: User, project_id: int | None = None) -> QuerySet[WebhookEndpoint]:
    """Endpoints of the projects the user owns: only owners manage (and see) webhooks."""
    qs = WebhookEndpoint.objects.filter(
        project__memberships__user=user, project__memberships__role=Role.OWNER
    ).select_related("project")
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    return qs


def webhook_get(*, user: User, pk: int) -> WebhookEndpoint:
    """An endpoint of one of the user's projects (a 404 otherwise); the caller checks can_manage (403)."""
    try:
        return WebhookEndpoint.objects.select_related("project").get(pk=pk, project__memberships__user=user)
    except (WebhookEndpoint.DoesNotExist, ValueError, TypeError):
        raise Http404("No such webhook.") from None


def delivery_list(*, user: User, endpoint_id: int | None = None, status: str = "") -> QuerySet[WebhookDelivery]:
    qs = WebhookDelivery.objects.filter(
        endpoint__project__memberships__user=user, endpoint__project__memberships__role=Role.OWNER
    ).select_related("event", "endpoint")
    if endpoint_id is not None:
        qs = qs.filter(endpoint_id=endpoint_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def delivery_get(*, user: User, pk: int) -> WebhookDelivery:
    try:
        return WebhookDelivery.objects.select_related("event", "endpoint__project").get(
            pk=pk, endpoint__project__memberships__user=user
        )
    except (WebhookDelivery.DoesNotExist, ValueError, TypeError):
        raise Http404("No such delivery.") from None


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def token_get(*, user: User, pk: int) -> ApiToken:
    """One of the user's own tokens; anyone else's is a 404."""
    try:
        return ApiToken.objects.get(pk=pk, user=user)
    except (ApiToken.DoesNotExist, ValueError, TypeError):
        raise Http404("No such token.") from None
