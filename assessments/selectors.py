"""Every non-trivial read in the assessments app, always scoped to what the user may see."""

from django.apps import apps
from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from assessments import permissions
from assessments.models import Approval, Assessment, AuditEvent, Membership, Notification, Project, Status
from hazards import scoring


def _count(model, **filters) -> Coalesce:
    """A per-project count as a subquery, so it is not narrowed by the membership join that scopes the list."""
    rows = model.objects.filter(project=OuterRef("pk"), **filters).order_by().values("project")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1]), 0)


def project_list(*, user: User) -> QuerySet[Project]:
    """The user's projects, each with the user's role and its assessment and member counts."""
    if not user.is_authenticated:
        return Project.objects.none()
    mine = Membership.objects.filter(user=user)
    return (
        Project.objects.filter(pk__in=mine.values("project_id"))
        .annotate(
            my_role=Subquery(mine.filter(project=OuterRef("pk")).order_by().values("role")[:1]),
            assessment_count=_count(Assessment),
            member_count=_count(Membership),
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
        # The membership row that scopes the read also carries the user's role: remembered for the
        # capability checks that follow, it saves every page one query.
        assessment = (
            Assessment.objects.select_related("project")
            .filter(pk=assessment_id, project__memberships__user=user)
            .annotate(viewer_role=F("project__memberships__role"))
            .get()
        )
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such assessment.") from None
    permissions.remember_role(user, assessment.project_id, assessment.viewer_role)
    return assessment


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


def is_manager(*, user: User) -> bool:
    """Whether the user signs off somewhere (approver or owner of a project): the people who read portfolios."""
    return Membership.objects.filter(user=user, role__in=permissions.APPROVERS).exists()


def reviews_waiting(*, user: User) -> QuerySet[Assessment]:
    """Assessments in review that wait for this user: they may review them, did not submit them, and (for
    approvers) have not yet approved the content as it stands. Each carries its counting approvals."""
    if not user.is_authenticated:
        return Assessment.objects.none()
    already_approved = Approval.objects.filter(
        assessment=OuterRef("pk"), approver=user, content_hash=OuterRef("content_hash")
    )
    counting = (
        Approval.objects.filter(assessment=OuterRef("pk"), content_hash=OuterRef("content_hash"))
        .values("assessment")
        .annotate(n=Count("approver", distinct=True))
        .values("n")
    )
    return (
        Assessment.objects.filter(
            status=Status.IN_REVIEW,
            project__memberships__user=user,
            project__memberships__role__in=permissions.REVIEWERS,
        )
        .exclude(submitted_by=user)
        .exclude(Exists(already_approved))
        .select_related("project", "submitted_by")
        .annotate(approvals_counting=Coalesce(Subquery(counting), 0))
        .order_by("submitted_at", "id")
    )


def recent_activity(*, user: User, limit: int = 15) -> list[AuditEvent]:
    """The newest audit events across the user's projects."""
    return list(event_list(user=user).select_related("project", "assessment")[:limit])


def latest_event_id(*, assessment: Assessment) -> int:
    """The id of the assessment's newest audit event: every write records one, so a larger id means
    something changed. One index-only lookup, cheap enough to poll every few seconds."""
    return AuditEvent.objects.filter(assessment=assessment).order_by("-id").values_list("id", flat=True).first() or 0


def residual_level_counts(*, assessments) -> dict[int, list[tuple]]:
    """{assessment id: [(Level, count), ...]} of residual risk levels, most severe first, plus unrated.

    One grouped query for all the assessments, whatever their size (the project page lists them).
    """
    by_id = {a.pk: a for a in assessments}
    if not by_id:
        return {}
    scenario_model = apps.get_model("hazards", "HazardScenario")
    rows = (
        scenario_model.objects.filter(assessment_id__in=list(by_id))
        .values_list("assessment_id", "residual_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[int, dict[str, int]] = {}
    for assessment_id, level, n in rows:
        counts.setdefault(assessment_id, {})[level] = n
    result = {}
    for assessment_id, assessment in by_id.items():
        found = counts.get(assessment_id, {})
        levels = [
            (level, found[level.key]) for level in reversed(scoring.levels(assessment.matrix)) if level.key in found
        ]
        if found.get(""):
            levels.append((None, found[""]))
        result[assessment_id] = levels
    return result


def member_users(*, project: Project) -> list[User]:
    """The project's members as users, by username (for owner pickers and filters)."""
    return list(User.objects.filter(memberships__project=project).order_by("username"))
