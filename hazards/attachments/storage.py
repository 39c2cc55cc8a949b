"""Where attachment bytes live: the `attachments` storage of STORAGES, addressed by content.

A file is stored under its SHA-256, so a revision that copies a scenario shares the bytes with the revision
it came from, and a file is removed only when no attachment row names it any more. Bytes are written only
after the row's transaction commits, so a rolled-back upload leaves nothing behind; a PostgreSQL advisory
lock per hash keeps a removal and an upload of the same bytes from crossing.
"""

import hashlib
import logging
import tempfile
from contextlib import contextmanager

from django.conf import settings
from django.core.files import File
from django.core.files.storage import storages
from django.db import connection, transaction

from assessments.errors import StorageUnavailable

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


def backend():
    return storages["attachments"]


def name_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


def _lock_key(sha256: str) -> int:
    return int(sha256[:15], 16)  # 60 bits: fits a bigint


@contextmanager
def _hash_lock(sha256: str):
    if connection.vendor != "postgresql":  # SQLite (make run) serialises writers anyway
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_lock_key(sha256)])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(sha256)])


def _referenced(sha256: str) -> bool:
    from hazards.models import Attachment

    return Attachment.objects.filter(sha256=sha256, kind="file").exists()


def spool():
    """Our own copy of an upload's bytes, taken while it is inspected. In memory up to
    FILE_UPLOAD_MAX_MEMORY_SIZE, else an anonymous temporary file that the system removes once closed."""
    return tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)


def store(copy, sha256: str, size: int) -> bool:
    """Write the spooled bytes now, inside the upload's transaction, unless they are stored already; True when
    this call wrote them. Raises StorageUnavailable (the caller's transaction then rolls back) if the store
    fails. Closes `copy`."""
    if connection.vendor == "postgresql":
        # Held until the upload commits: a removal of the same bytes waits for it, then sees its row.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(sha256)])
    name, backend_ = name_for(sha256), backend()
    try:
        # A file of another size under this name is what a write cut short left: write it again.
        if backend_.exists(name) and backend_.size(name) == size:
            return False
        backend_.delete(name)
        copy.seek(0)
        saved = backend_.save(name, File(copy, name=sha256))
        if saved != name:  # a storage that renames instead of overwriting: keep one copy
            log.warning("attachment storage saved %s as %s", name, saved)
        return True
    except Exception as exc:
        log.exception("attachment storage failed for %s", name)
        _delete_quietly(name)  # a partial write must not pass for the file later
        raise StorageUnavailable("The file store could not keep the file, so nothing was saved. Try again.") from exc
    finally:
        copy.close()


def _delete_quietly(name: str) -> None:
    try:
        backend().delete(name)
    except Exception:
        log.warning("could not remove %s from the attachment storage", name, exc_info=True)


def discard_unreferenced(sha256: str) -> None:
    """Remove the bytes now unless an attachment (a revision's copy) still names them."""
    with _hash_lock(sha256):
        if not _referenced(sha256):
            _delete_quietly(name_for(sha256))


def discard_on_commit(sha256: str) -> None:
    """Remove the bytes after the transaction commits, unless another attachment (a revision) still names them."""
    transaction.on_commit(lambda: discard_unreferenced(sha256), robust=True)


def open_file(sha256: str):
    return backend().open(name_for(sha256), "rb")


def recompute(sha256: str) -> str | None:
    """The SHA-256 of the stored bytes now, or None when the file is missing."""
    try:
        handle = open_file(sha256)
    except (FileNotFoundError, OSError):
        return None
    digest = hashlib.sha256()
    with handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
