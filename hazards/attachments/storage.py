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

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


def backend():
    return storages["attachments"]


def name_for(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


@contextmanager
def _hash_lock(sha256: str):
    if connection.vendor != "postgresql":  # SQLite (make run) serialises writers anyway
        yield
        return
    key = int(sha256[:15], 16)  # 60 bits: fits a bigint
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _referenced(sha256: str) -> bool:
    from hazards.models import Attachment

    return Attachment.objects.filter(sha256=sha256, kind="file").exists()


def spool():
    """Our own copy of an upload's bytes, taken while it is inspected: the request's file may be closed by the
    time the transaction commits. In memory up to FILE_UPLOAD_MAX_MEMORY_SIZE, else an anonymous temporary
    file that the system removes once closed (also when a rollback drops it unsaved)."""
    return tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)


class _PendingWrite:
    """The write of one spooled copy, registered with on_commit.

    Django has no on-rollback hook: a rollback simply drops its on_commit callbacks. Dropping this object then
    closes the copy (which frees its memory or temporary file), so a rolled-back upload leaves nothing anywhere.
    """

    def __init__(self, copy, sha256: str):
        self.copy = copy
        self.sha256 = sha256

    def __call__(self):
        try:
            with _hash_lock(self.sha256):
                name = name_for(self.sha256)
                store = backend()
                if not store.exists(name):
                    self.copy.seek(0)
                    saved = store.save(name, File(self.copy, name=self.sha256))
                    if saved != name:  # a storage that renames instead of overwriting: keep one copy
                        log.warning("attachment storage saved %s as %s", name, saved)
        finally:
            self.copy.close()

    def __del__(self):
        self.copy.close()


def store_on_commit(copy, sha256: str) -> None:
    """Write the spooled bytes once the current transaction commits (nothing at all if it rolls back)."""
    transaction.on_commit(_PendingWrite(copy, sha256), robust=False)


def discard_on_commit(sha256: str) -> None:
    """Remove the bytes after the transaction commits, unless another attachment (a revision) still names them."""

    def remove():
        with _hash_lock(sha256):
            if not _referenced(sha256):
                backend().delete(name_for(sha256))

    transaction.on_commit(remove, robust=True)


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
