"""The limits of evidence attachments, in one place that forms, serializers and services all read.

The maximum size and the allowed types come from settings (ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES); the
types themselves, with the extensions a name may end in, are the table below. A type is recognised from
the file's content (content.py), never from its name or the content type a browser sends.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NAME_MAX = 200  # a file name or a link title
URL_MAX = 2000
LINK_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    content_type: str  # what a download is served as; never a type a browser would render inline from us
    extensions: tuple[str, ...]


TYPES: dict[str, FileType] = {
    t.key: t
    for t in (
        FileType("pdf", "PDF document", "application/pdf", (".pdf",)),
        FileType("png", "PNG image", "image/png", (".png",)),
        FileType("jpeg", "JPEG image", "image/jpeg", (".jpg", ".jpeg")),
        FileType("text", "plain text", "text/plain; charset=utf-8", (".txt", ".log")),
        FileType("csv", "CSV table", "text/csv; charset=utf-8", (".csv",)),
        FileType("json", "JSON document", "application/json", (".json",)),
        FileType("markdown", "Markdown report", "text/markdown; charset=utf-8", (".md", ".markdown")),
        FileType(
            "xlsx", "Excel workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)
        ),
        FileType(
            "docx",
            "Word document",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        # HTML test reports are kept but never rendered by Hazlog: always downloaded as opaque bytes.
        FileType("html", "HTML report", "application/octet-stream", (".html", ".htm")),
    )
}


def download_media_types() -> list[str]:
    """Every Content-Type a download can have, without parameters (for the OpenAPI schema)."""
    return sorted({t.content_type.split(";")[0] for t in TYPES.values()})


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def allowed_types() -> list[FileType]:
    unknown = [key for key in settings.ATTACHMENT_TYPES if key not in TYPES]
    if unknown:
        raise ImproperlyConfigured(f"ATTACHMENT_TYPES names unknown types {unknown}; known: {', '.join(TYPES)}.")
    return [TYPES[key] for key in settings.ATTACHMENT_TYPES]


def describe_allowed() -> str:
    """'PDF document (.pdf), PNG image (.png), …' for messages and help texts."""
    return ", ".join(f"{t.label} ({'/'.join(t.extensions)})" for t in allowed_types())


def size_label(size: int) -> str:
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"


def too_large_message(size: int | None = None) -> str:
    got = f" ({size_label(size)})" if size is not None else ""
    return f"This file is too large{got}: evidence files may be at most {size_label(max_bytes())}."


# Multipart framing and the other fields around a file: a request this much beyond the limit cannot fit.
REQUEST_OVERHEAD = 64 * 1024


def declared_too_large(request) -> str | None:
    """The refusal for a request whose declared length cannot fit an allowed file, read before its body is."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if declared > max_bytes() + REQUEST_OVERHEAD:
        return too_large_message(declared)
    return None
