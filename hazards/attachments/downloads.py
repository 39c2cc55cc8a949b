"""Serving an attachment's bytes: always as a download, streamed, with a type no browser renders from us."""

from django.http import FileResponse, Http404

from hazards.attachments import storage


def file_response(attachment) -> FileResponse:
    if attachment.kind != "file":
        raise Http404("A link has no file to download.")
    try:
        handle = storage.open_file(attachment.sha256)
    except (FileNotFoundError, OSError):
        raise Http404("The stored file is missing; the snapshot verification lists it.") from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    # Should a browser ever show it anyway, it runs nothing and reaches nothing of ours.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Attachment-SHA256"] = attachment.sha256
    return response
