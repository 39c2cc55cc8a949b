"""Reads of export jobs, scoped to the projects the user belongs to (anything else is a 404)."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from assessments.models import Assessment, ExportJob


def export_queryset(*, user: User) -> QuerySet[ExportJob]:
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(assessment__project__memberships__user=user).select_related(
        "assessment", "requested_by"
    )


def export_list(*, user: User, assessment: Assessment, limit: int = 8) -> list[ExportJob]:
    """The assessment's most recent exports, newest first."""
    return list(export_queryset(user=user).filter(assessment=assessment).order_by("-created_at", "-id")[:limit])


def export_get(*, user: User, job_id: int) -> ExportJob:
    try:
        return export_queryset(user=user).get(pk=job_id)
    except (ExportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such export.") from None


def is_expired(job: ExportJob) -> bool:
    return job.status == ExportJob.State.DONE and (
        not job.file or (job.expires_at is not None and job.expires_at <= timezone.now())
    )


def is_active(job: ExportJob) -> bool:
    """Still moving: the page keeps polling it."""
    return job.status in (ExportJob.State.QUEUED, ExportJob.State.RUNNING)
