"""Recognising an uploaded file's type from its bytes, with its size and SHA-256, in one streaming pass.

A signature table, pure Python: the first bytes identify PDF, PNG and JPEG; a zip is an Office document
only if its parts say so; anything else must be UTF-8 text without NUL bytes, and is HTML when it starts
like markup. The name's extension must then be one of the recognised type's extensions, so a renamed
executable (no signature, not text) or an HTML page named .png is refused, whatever the browser claims.
"""

import codecs
import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass

from hazards.attachments import limits
from hazards.attachments.limits import TYPES, FileType

CHUNK = 64 * 1024
HEAD = 4096
SIGNATURES = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"))
ZIP_MAGIC = b"PK\x03\x04"
# Signatures of things people mistake for evidence, named in the refusal so that it says what the file is.
KNOWN_OTHERS = (
    (b"MZ", "a Windows executable"),
    (b"\x7fELF", "a Linux executable"),
    (b"\xcf\xfa\xed\xfe", "a macOS executable"),
    (b"#!", "a script"),
    (b"GIF8", "a GIF image"),
    (b"Rar!", "a RAR archive"),
    (b"\x1f\x8b", "a gzip archive"),
)
HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<script|<svg|<\?xml)", re.IGNORECASE)
TEXT_FAMILY = ("text", "csv", "json", "markdown")


class Refused(ValueError):
    """The file cannot be kept; the message says why, in words for the person who chose it."""


@dataclass(frozen=True)
class Inspected:
    file_type: FileType
    size: int
    sha256: str


def clean_name(name: str) -> str:
    """The base name only (no directories), without control characters, at most NAME_MAX characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if ch.isprintable()).strip().strip(".")
    if not base:
        raise Refused("The file needs a name.")
    if len(base) > limits.NAME_MAX:
        stem, ext = os.path.splitext(base)
        base = stem[: limits.NAME_MAX - len(ext)] + ext
    return base


def _a(label: str) -> str:
    return f"{'an' if label[0].lower() in 'aeiou' or label.startswith('HTML') else 'a'} {label}"


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lower()


def _office_type(upload) -> str | None:
    """xlsx or docx when the zip holds an Office package's parts; None for any other zip."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return None


def _detect(head: bytes, is_text: bool, upload) -> tuple[str | None, str]:
    """(type key or None, what the content is, in words)."""
    for magic, key in SIGNATURES:
        if head.startswith(magic):
            return key, _a(TYPES[key].label)
    if head.startswith(ZIP_MAGIC):
        key = _office_type(upload)
        return (key, _a(TYPES[key].label)) if key else (None, "a zip archive")
    if is_text:
        if HTML_START.match(head):
            return "html", _a(TYPES["html"].label)
        return "text", "text"
    for magic, what in KNOWN_OTHERS:
        if head.startswith(magic):
            return None, what
    return None, "a binary file of a type Hazlog does not keep"


def _text_key(upload, name: str) -> str | None:
    """Which text type the name asks for, if the text is one (JSON must parse)."""
    ext = _extension(name)
    for key in TEXT_FAMILY:
        if ext in TYPES[key].extensions:
            if key == "json":
                upload.seek(0)
                try:
                    json.load(codecs.getreader("utf-8")(upload))
                except (ValueError, UnicodeDecodeError):
                    return None
            return key
    return None


def inspect(upload, *, name: str, copy_to=None) -> Inspected:
    """Read the whole upload once: its size (stopping past the limit), SHA-256 and type; Refused if not kept.

    `copy_to`, a writable file, receives the bytes as they are read (the copy the storage is given later).
    """
    limit = limits.max_bytes()
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    head = b""
    size = 0
    is_text = True
    upload.seek(0)
    for chunk in upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(lambda: upload.read(CHUNK), b""):
        size += len(chunk)
        if size > limit:
            raise Refused(limits.too_large_message(getattr(upload, "size", None) or size))
        digest.update(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
        if is_text:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                is_text = False
            else:
                is_text = b"\x00" not in chunk
    if size == 0:
        raise Refused("The file is empty.")
    if is_text:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            is_text = False
    key, what = _detect(head, is_text, upload)
    if key == "text":
        key = _text_key(upload, name)
        if key is None:
            ext = _extension(name) or "no extension"
            raise Refused(
                f"This file is text, but its name ends in {ext} (or it is not valid JSON): "
                f"name a text report .txt, .csv, .json or .md. Allowed: {limits.describe_allowed()}."
            )
    upload.seek(0)
    allowed = {t.key for t in limits.allowed_types()}
    if key is None or key not in allowed:
        raise Refused(f"This file is {what}, which is not kept as evidence. Allowed: {limits.describe_allowed()}.")
    file_type = TYPES[key]
    if _extension(name) not in file_type.extensions:
        raise Refused(
            f"This file's content is {_a(file_type.label)}, but its name ends in {_extension(name) or 'no extension'}: "
            f"rename it to end in {' or '.join(file_type.extensions)} if that is what it is."
        )
    return Inspected(file_type=file_type, size=size, sha256=digest.hexdigest())
