"""Every non-trivial read in the assessments app, always scoped to what the user may see."""

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Q, QuerySet
from django.http import Http404

from assessments.models import Assessment, AuditEvent, Membership, Notification, Project


def project_list(*, user: User) -> QuerySet[Project]:
    """The user's projects, each with the user's role and its assessment counts."""
    if not user.is_authenticated:
        return Project.objects.none()
    return (
        Project.objects.filter(memberships__user=user)
        .annotate(
            my_role=Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1],
            assessment_count=Count("assessments", distinct=True),
            member_count=Count("memberships", distinct=True),
        )
        .order_by("name", "id")
    )


def project_get(*, user: User, project_id: int) -> Project:
    """A project the user belongs to; anything else is a 404, so ids of other projects don't leak."""
    if not user.is_authenticated:
        raise Http404("No such project.")
    try:
        return Project.objects.get(pk=project_id, memberships__user=user)
    except (Project.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project.") from None


def membership_list(*, user: User, project: Project) -> QuerySet[Membership]:
    project_get(user=user, project_id=project.pk)
    return Membership.objects.filter(project=project).select_related("user").order_by("user__username")


def assessment_list(*, user: User, project: Project | None = None) -> QuerySet[Assessment]:
    qs = Assessment.objects.filter(project__memberships__user=user).select_related("project")
    if project is not None:
        qs = qs.filter(project=project)
    return qs.order_by("project__name", "title", "-revision")


def assessment_get(*, user: User, assessment_id: int) -> Assessment:
    if not user.is_authenticated:
        raise Http404("No such assessment.")
    try:
        return Assessment.objects.select_related("project").get(pk=assessment_id, project__memberships__user=user)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None


def assessment_revisions(*, user: User, assessment: Assessment) -> QuerySet[Assessment]:
    """Every revision in the assessment's lineage, newest first."""
    return assessment_list(user=user).filter(lineage=assessment.lineage).order_by("-revision")


def event_list(
    *, user: User, project: Project | None = None, assessment: Assessment | None = None
) -> QuerySet[AuditEvent]:
    """Audit events of the user's projects, newest first."""
    qs = AuditEvent.objects.filter(project__memberships__user=user).select_related("actor")
    if project is not None:
        qs = qs.filter(project=project)
    if assessment is not None:
        qs = qs.filter(assessment=assessment)
    return qs.order_by("-id")


def object_history(*, user: User, object_type: str, object_id: int) -> QuerySet[AuditEvent]:
    return event_list(user=user).filter(object_type=object_type, object_id=object_id)


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_notification_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def project_members_with_role(*, project: Project, roles) -> QuerySet[User]:
    """Active members of a project holding one of the roles (for notifications)."""
    return User.objects.filter(
        Q(memberships__project=project) & Q(memberships__role__in=list(roles)), is_active=True
    ).distinct()
