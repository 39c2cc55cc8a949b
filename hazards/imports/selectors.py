"""Reads for the import wizard: a person's own import jobs and the assessments rows can go into."""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from assessments import workflow
from assessments.models import Assessment, ImportJob, Project
from hazards.selectors import visible_to


def import_get(*, user: User, job_id: int) -> ImportJob:
    """An import the user started, in a project they still belong to; anything else is a 404."""
    try:
        return (
            ImportJob.objects.filter(visible_to(user, prefix=""))
            .select_related("project", "assessment")
            .get(pk=job_id, created_by=user)
        )
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such import.") from None


def import_targets(*, project: Project) -> QuerySet[Assessment]:
    """Assessments of the project whose content is open, so rows can be added to them."""
    return project.assessments.filter(status__in=workflow.EDITABLE_STATUSES).order_by("title", "-revision")


def import_recent(*, user: User, project: Project, limit: int = 5) -> list[ImportJob]:
    return list(ImportJob.objects.filter(project=project, created_by=user).order_by("-created_at")[:limit])
