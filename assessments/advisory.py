"""Session-level PostgreSQL advisory locks: one worker at a time on a long job, released if the worker dies."""

import contextlib
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def exclusive(namespace: int, key: int) -> Iterator[bool]:
    """Yield whether this process holds the lock on (namespace, key); the holder releases it on exit.

    PostgreSQL releases it when the connection closes, so a worker killed mid-job never leaves it
    behind, and a duplicate delivery running at the same time backs off instead of doing the work twice.
    """
    if connection.vendor != "postgresql":
        yield True  # the embedded default runs tasks in-process, one at a time
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])
