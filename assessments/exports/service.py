"""Export jobs: requesting one, running it in a worker, re-queueing stuck ones and removing expired files.

The ExportJob row is the outbox. A request commits the row first and then publishes the task; if Redis
is down the row stays `queued` with a note saying so, the request answers "could not be queued, retry",
and the periodic sweep publishes it again once the broker is back. Running is safe twice: a PostgreSQL
advisory lock lets one worker at a time build a job, the status is checked under a row lock, and the file
is written under a name fixed by the job id, so a re-delivered task overwrites rather than duplicates.
"""

import datetime
import logging
import tempfile
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from kombu.exceptions import OperationalError

from assessments import advisory, audit, permissions
from assessments.errors import InvalidInput, QueueUnavailable
from assessments.exports import attachments, document, to_csv, to_json, to_pdf, to_xlsx
from assessments.models import Assessment, ExportJob, Via

logger = logging.getLogger(__name__)

WRITERS = {
    ExportJob.Format.PDF: to_pdf,
    ExportJob.Format.XLSX: to_xlsx,
    ExportJob.Format.CSV: to_csv,
    ExportJob.Format.JSON: to_json,
}
# Larger registers are refused as PDF (WeasyPrint needs ~0.1 s and ~0.1 MB per scenario); XLSX has no limit.
PDF_MAX_SCENARIOS = 5000
# A job whose worker died this many times is failed instead of being tried forever (a poison job).
MAX_ATTEMPTS = 3
QUEUE_DOWN_NOTE = (
    "Not started yet: the job queue was unavailable. Hazlog queues it again automatically once the queue is "
    "back; you can also retry now."
)
# A queued job not started after this long has lost its message (e.g. Redis restarted empty).
QUEUED_GRACE = datetime.timedelta(minutes=5)
# A running job not heard from for this long (well past the task's hard time limit) has lost its worker.
RUNNING_STALE = datetime.timedelta(minutes=30)
# Namespace of the advisory locks that keep two workers off one export job.
ADVISORY_LOCK_CLASS = 6_001


def export_queue(job: ExportJob) -> None:
    """Publish a recorded job to the workers; call it once the job's row has committed.

    Raises QueueUnavailable (the job kept, marked as not queued) if Redis is down.
    """
    from assessments.tasks import exports_run

    try:
        exports_run.delay(job.pk)
    except (OperationalError, OSError) as exc:
        logger.warning("Could not queue export job %s: %s", job.pk, exc)
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.State.QUEUED).update(
            error=QUEUE_DOWN_NOTE, updated_at=timezone.now()
        )
        job.error = QUEUE_DOWN_NOTE
        raise QueueUnavailable(
            "The export could not be queued because the job queue is unavailable. Please retry in a minute; "
            "Hazlog will also start it by itself once the queue is back.",
            job=job,
        ) from exc
    # A job queued by the sweep or a retry loses its "not queued" note (unless it already ran, eagerly).
    if job.error == QUEUE_DOWN_NOTE:
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.State.QUEUED, error=QUEUE_DOWN_NOTE).update(error="")
        job.error = ""


def export_request(
    *, assessment_id: int, by: User, format: str, include_files: bool = False, via: str = Via.WEB
) -> ExportJob:
    """Record an export job and queue it. Raises QueueUnavailable (job kept, marked) if Redis is down."""
    job = export_record(assessment_id=assessment_id, by=by, format=format, include_files=include_files, via=via)
    export_queue(job)
    return job


def export_record(
    *, assessment_id: int, by: User, format: str, include_files: bool = False, via: str = Via.WEB
) -> ExportJob:
    """Record an export job (with its audit event) without queueing it yet: `export_queue` follows the commit.

    Asking again for the same format while an earlier request of yours still waits for the queue reuses
    that job instead of creating a second one.
    """
    assessment = Assessment.objects.select_related("project").get(pk=assessment_id)
    if not permissions.can_view(by, assessment.project):
        raise PermissionDenied("Only members of the project can export its assessments.")
    if format not in ExportJob.Format.values:
        raise InvalidInput({"format": [f"Choose one of: {', '.join(ExportJob.Format.values)}."]})
    if include_files and format != ExportJob.Format.JSON:
        raise InvalidInput({"include_files": ["Evidence files can only be included in the JSON export."]})
    if format == ExportJob.Format.PDF:
        count = assessment.scenarios.count()
        if count > PDF_MAX_SCENARIOS:
            raise InvalidInput(
                {
                    "format": [
                        f"This assessment has {count:,} scenarios; PDF reports are limited to "
                        f"{PDF_MAX_SCENARIOS:,}. Export it as XLSX, CSV or JSON instead."
                    ]
                }
            )
    job = (
        ExportJob.objects.filter(
            assessment=assessment,
            requested_by=by,
            format=format,
            include_files=include_files,
            status=ExportJob.State.QUEUED,
            error=QUEUE_DOWN_NOTE,
        )
        .order_by("-id")
        .first()
    )
    if job is None:
        with transaction.atomic():
            job = ExportJob.objects.create(
                assessment=assessment, requested_by=by, format=format, include_files=include_files
            )
            audit.record(
                actor=by,
                via=via,
                action="export.requested",
                project=assessment.project,
                assessment=assessment,
                obj=job,
                object_ref=f"rev {assessment.revision}",
                changes={"format": [None, format], **({"include_files": [None, True]} if include_files else {})},
                object_version=1,  # an export job has no version field; its two events are 1 and 2
            )
    return job


def _exclusive(job_id: int):
    return advisory.exclusive(ADVISORY_LOCK_CLASS, job_id)


def _finish(job: ExportJob, **fields) -> None:
    fields.setdefault("finished_at", timezone.now())
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **fields)
    for field, value in fields.items():
        setattr(job, field, value)
    audit.record(
        actor=None,
        via=Via.TASK,
        action="export.completed" if fields.get("status") == ExportJob.State.DONE else "export.failed",
        project=job.assessment.project,
        assessment=job.assessment,
        obj=job,
        object_ref=f"rev {job.assessment.revision}",
        changes={"status": [ExportJob.State.RUNNING, fields.get("status")], "error": [None, fields.get("error", "")]},
        object_version=2,
    )


@transaction.atomic
def _claim(job_id: int) -> ExportJob | None:
    """Mark the job running (one more attempt), or None if there is nothing left to do."""
    job = (
        ExportJob.objects.select_for_update(of=("self",))
        .select_related("assessment__project", "requested_by")
        .get(pk=job_id)
    )
    if job.status in (ExportJob.State.DONE, ExportJob.State.FAILED):
        return None
    if job.attempts >= MAX_ATTEMPTS:
        _finish(
            job,
            status=ExportJob.State.FAILED,
            error=f"The export stopped {job.attempts} times before it finished (the worker was lost each time). "
            "Try a smaller format such as XLSX, or ask your administrator to check the workers.",
        )
        return None
    requester = job.requested_by
    if requester is None or not permissions.can_view(requester, job.assessment.project):
        _finish(job, status=ExportJob.State.FAILED, error="The person who asked for it is no longer a member.")
        return None
    job.status = ExportJob.State.RUNNING
    job.attempts += 1
    job.progress = 0
    job.error = ""
    job.started_at = timezone.now()
    job.save(update_fields=["status", "attempts", "progress", "error", "started_at", "updated_at"])
    return job


class _Progress:
    """Writes progress to the job row (committed at once, so pages polling it see it move)."""

    def __init__(self, job: ExportJob):
        self.job = job
        self.last = 0

    def __call__(self, percent: float) -> None:
        value = max(0, min(99, int(percent)))
        if value < self.last + 5 and value != 99:
            return
        self.last = value
        ExportJob.objects.filter(pk=self.job.pk, status=ExportJob.State.RUNNING).update(
            progress=value, updated_at=timezone.now()
        )


def export_filename(job: ExportJob) -> str:
    assessment = job.assessment
    stem = slugify(assessment.title)[:60] or "assessment"
    extension = "zip" if job.include_files else WRITERS[job.format].EXTENSION
    return f"{stem}-rev{assessment.revision}-{timezone.localdate().isoformat()}.{extension}"


def _build(job: ExportJob) -> None:
    progress = _Progress(job)
    doc = document.build(job.assessment)
    progress(10)
    writer = WRITERS[job.format]
    filename = export_filename(job)
    with tempfile.TemporaryDirectory(prefix="hazlog-export-") as tmp:
        path = Path(tmp) / filename
        if job.include_files:
            attachments.write_zip(doc, path)
        else:
            writer.write(doc, path, lambda percent: progress(10 + percent * 0.85))
        # A fixed name per job: a re-delivered task replaces the file instead of leaving a second one.
        name = f"exports/{job.pk}/{filename}"
        old = job.file.name if job.file else ""
        for stale in {old, name} - {""}:
            default_storage.delete(stale)
        with path.open("rb") as handle:
            saved = default_storage.save(name, File(handle))
    _finish(
        job,
        status=ExportJob.State.DONE,
        progress=100,
        file=saved,
        filename=filename,
        error="",
        content_hash=doc["content_hash"],
        expires_at=timezone.now() + datetime.timedelta(hours=settings.HAZLOG_EXPORT_TTL_HOURS),
    )


def export_run(*, job_id: int) -> ExportJob | None:
    """Build one export job; safe to run twice and after a worker died part-way through."""
    with _exclusive(job_id) as mine:
        if not mine:
            logger.info("Export job %s is being built by another worker; leaving it.", job_id)
            return None
        job = _claim(job_id)
        if job is None:
            return None
        try:
            _build(job)
        except SoftTimeLimitExceeded:
            _finish(
                job,
                status=ExportJob.State.FAILED,
                error="The export took too long and was stopped. Try XLSX or CSV, which are much faster.",
            )
        except Exception as exc:
            logger.exception("Export job %s failed", job_id)
            _finish(
                job,
                status=ExportJob.State.FAILED,
                error=f"The export could not be built ({exc.__class__.__name__}: {str(exc)[:200]}). "
                "Request it again; if it keeps failing, tell your administrator.",
            )
        return job


def export_requeue_stuck(*, now: datetime.datetime | None = None) -> int:
    """Publish again the jobs whose message is missing: not queued (Redis was down), lost, or orphaned.

    Returns how many were queued; stops at the first publish failure (the broker is still down).
    """
    now = now or timezone.now()
    orphaned = list(
        ExportJob.objects.filter(status=ExportJob.State.RUNNING, updated_at__lt=now - RUNNING_STALE).values_list(
            "pk", flat=True
        )
    )
    ExportJob.objects.filter(pk__in=orphaned, status=ExportJob.State.RUNNING).update(
        status=ExportJob.State.QUEUED, updated_at=now
    )
    stuck = ExportJob.objects.filter(
        Q(pk__in=orphaned) | Q(error=QUEUE_DOWN_NOTE) | Q(updated_at__lt=now - QUEUED_GRACE),
        status=ExportJob.State.QUEUED,
    )
    queued = 0
    for job in stuck.order_by("id").iterator():
        try:
            export_queue(job)
        except QueueUnavailable:
            break
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.State.QUEUED).update(updated_at=now)
        queued += 1
    return queued


def export_remove_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of exports past their expiry; the job rows stay, marked expired by their date."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file="").only("id", "file").iterator():
        default_storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(file="")
        removed += 1
    return removed
