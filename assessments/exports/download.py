"""Serving an export's file, for the browser and the API alike: whether it can be had, and how it is sent."""

from django.http import FileResponse

from assessments.exports import selectors, service
from assessments.models import ExportJob


class NotDownloadable(Exception):
    """The job has no file to serve (yet, or any more); each interface words the answer its own way."""

    def __init__(self, message: str, code: str, status: int):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


def file_response(job: ExportJob) -> FileResponse:
    """The file, always as an attachment (never rendered inline by the browser), and never cached."""
    if job.status != ExportJob.State.DONE:
        raise NotDownloadable("This export is not ready yet.", "not_ready", 409)
    if selectors.is_expired(job):
        raise NotDownloadable("This export has expired and its file was removed; request a new one.", "expired", 410)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
    # The JSON with its evidence files is a zip.
    response["Content-Type"] = "application/zip" if job.include_files else service.WRITERS[job.format].CONTENT_TYPE
    response["Cache-Control"] = "private, no-store"
    return response
