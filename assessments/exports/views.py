"""Browser views of exports: the export panel of an assessment, a job's progress, and the download."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessments import selectors as assessment_selectors
from assessments.errors import InvalidInput, QueueUnavailable
from assessments.exports import download, selectors, service
from assessments.models import ExportJob
from assessments.views.common import browser_view, wants_fragment

PANEL = "assessments/exports/panel.html"


def _panel_context(request, assessment, **extra) -> dict:
    jobs = selectors.export_list(user=request.user, assessment=assessment)
    return {
        "assessment": assessment,
        "jobs": [_job_view(job) for job in jobs],
        "formats": ExportJob.Format.choices,
        **extra,
    }


def _job_view(job: ExportJob) -> dict:
    return {
        "job": job,
        "active": selectors.is_active(job),
        "expired": selectors.is_expired(job),
        "not_queued": job.status == ExportJob.State.QUEUED and job.error == service.QUEUE_DOWN_NOTE,
    }


@browser_view
def export_panel(request, assessment_id: int):
    """The export panel: a full page without JavaScript, the fragment for htmx."""
    assessment = assessment_selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    context = _panel_context(request, assessment)
    if wants_fragment(request):
        return render(request, f"{PANEL}#panel", context)
    return render(request, PANEL, context)


@require_POST
@browser_view
def export_request(request, assessment_id: int):
    assessment = assessment_selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    problem = ""
    try:
        service.export_request(
            assessment_id=assessment.pk,
            by=request.user,
            format=request.POST.get("format", ""),
            include_files=request.POST.get("include_files") == "on",
        )
    except InvalidInput as exc:
        problem = " ".join(msg for msgs in exc.errors.values() for msg in msgs)
    except QueueUnavailable as exc:
        problem = str(exc)
    except PermissionDenied as exc:
        problem = str(exc)
    if wants_fragment(request):
        # Errors re-render the panel with 200: htmx 2 does not swap 4xx responses.
        return render(request, f"{PANEL}#panel", _panel_context(request, assessment, problem=problem))
    if problem:
        messages.error(request, problem)
    else:
        messages.success(request, "Export requested; it will be ready to download in a moment.")
    return redirect("export_panel", assessment_id=assessment.pk)


@require_GET
@browser_view
def export_status(request, job_id: int):
    """One job's row; polled by htmx while the job is queued or running."""
    job = selectors.export_get(user=request.user, job_id=job_id)
    if wants_fragment(request):
        return render(request, f"{PANEL}#job", {"item": _job_view(job)})
    return redirect(reverse("export_panel", args=[job.assessment_id]) + f"#export-{job.pk}")


@require_GET
@browser_view
def export_download(request, job_id: int):
    """The file, to members only, always as an attachment (never rendered inline by the browser)."""
    job = selectors.export_get(user=request.user, job_id=job_id)
    try:
        return download.file_response(job)
    except download.NotDownloadable as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain")
