"""Rendered pages and fragments, cached under a digest of everything they show.

Building a page (reading rows, rendering templates) costs many times what reading its inputs does: the
assessment row with its content counter, the user's role, a few columns of other rows. A view reads those
inputs first, looks its answer up under their digest, and builds and stores it only when it is not there.
The rules every user of this module keeps, so that a cached answer is never stale:

- Everything the answer shows is among the inputs, or guarded by them: an assessment's scenarios,
  mitigations and acceptances by its `content_seq`, which every content write bumps under the assessment's
  lock (hazards.services.common); the assessment's own columns by its row.
- The inputs are read before the answer is built, so an entry is never older than its key.
- The names of people an answer shows are stored with it and compared with the users' current names on each
  hit (a rename touches no assessment). So is the moment the answer stops being true by itself (evidence
  that grows too old): after it, the entry is not served.
- Per-request parts (the CSRF token) are rendered as a placeholder and filled in for each request.
- Only answers to query strings a user would ask for again are stored: known parameters given once, with
  valid values (`only_known` and each view's checks). Any other query string (a free-text search, an
  unknown parameter, a page that does not exist) is answered fresh, so that arbitrary URLs cannot fill the
  cache.
- A cache outage makes pages slower, never wrong or unavailable.
"""

import datetime
import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

logger = logging.getLogger(__name__)

VERSION = 1  # bump when what is cached changes shape (a code change also makes a new release(), below)
CACHE_SECONDS = 24 * 3600  # keys die with any change; this only frees memory
# Rendered where the CSRF token goes, replaced by the request's own (masked) token on the way out.
CSRF_PLACEHOLDER = "csrf-token-of-this-request-8f3a1c"


@functools.cache
def release() -> str:
    """A digest of the project's own modules and templates (names, sizes, times): a new release starts a new
    key space, so markup rendered by the code before a deploy is never served after it. Once per process."""
    own = [Path(app.path) for app in apps.get_app_configs()]
    roots = [path for path in own if path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts]
    roots += [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    files = sorted(
        (str(path), stat.st_size, stat.st_mtime_ns)
        for root in roots
        for pattern in ("*.py", "*.html")
        for path in root.rglob(pattern)
        if (stat := path.stat())
    )
    return hashlib.blake2b(repr(files).encode(), digest_size=8).hexdigest()


def key(name: str, *inputs) -> str:
    """The cache key of `name` under its inputs (plain values: ids, counters, strings, dates, tuples)."""
    seen = (VERSION, release(), name, translation.get_language(), timezone.localdate().isoformat(), inputs)
    return f"page:{name}:{hashlib.blake2b(repr(seen).encode(), digest_size=20).hexdigest()}"


def only_known(query, known: Iterable[str]) -> bool:
    """Whether a query string (a QueryDict) may be cached: every parameter one of `known`, each given once."""
    known = set(known)
    return all(name in known and len(query.getlist(name)) == 1 for name in query)


def get(cache_key: str):
    """The cached answer, or None: not cached, a person it names renamed since, past its end, cache down."""
    try:
        entry = cache.get(cache_key)
    except Exception:  # a cache outage must not take the page down; it only makes it slower
        logger.warning("page cache unavailable", exc_info=True)
        return None
    if entry is None:
        return None
    people, until, value = entry
    if until is not None and timezone.now() >= until:
        return None
    if people and dict(User.objects.filter(pk__in=people).values_list("pk", "username")) != people:
        return None
    return value


def put(cache_key: str, value, *, people: Iterable[User | None] = (), until: datetime.datetime | None = None) -> None:
    """Cache `value`, built from data read after its key's inputs, with the people it names and the moment
    it stops being true (None: only a change of its inputs ends it)."""
    names = {u.pk: u.username for u in people if u is not None}
    try:
        cache.set(cache_key, (names, until, value), CACHE_SECONDS)
    except Exception:
        logger.warning("page cache unavailable", exc_info=True)


def with_request_token(request, html: SafeString) -> SafeString:
    """Cached HTML with the request's own CSRF token where the placeholder was rendered."""
    if CSRF_PLACEHOLDER not in html:
        return html
    # Still our template's output: the token is letters and digits only.
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308


class Fingerprint:
    """The digest of the rows of some querysets, read in one statement.

    `build(*ids)` returns the querysets for the given ids (a user's, a project's), each a `values_list()`
    whose first column is "pk". On PostgreSQL they are
    compiled once per process with stand-in ids that each call replaces, and the database serialises and
    hashes the rows itself: no row is built in Python, and the querysets stay the only definition of what is
    read. Elsewhere (SQLite, the embedded default) the rows are read and hashed in Python.
    """

    _STAND_INS = (-7_302_117, -7_302_118, -7_302_119)  # ids no row has

    def __init__(self, build: Callable[..., list[QuerySet]]):
        self.build = build
        self._compiled: dict[int, tuple[str, tuple]] = {}  # by number of ids

    def __call__(self, *ids: int) -> str:
        if connection.vendor != "postgresql":
            return repr([list(rows.order_by()) for rows in self.build(*ids)])
        sql, params = self._statement(len(ids))
        values = dict(zip(self._STAND_INS, ids, strict=False))
        with connection.cursor() as cursor:
            cursor.execute(sql, [values.get(p, p) if isinstance(p, int) else p for p in params])
            return cursor.fetchone()[0]

    def _statement(self, arity: int) -> tuple[str, tuple]:
        if arity not in self._compiled:
            self._compiled[arity] = self._compile(arity)
        return self._compiled[arity]

    def _compile(self, arity: int) -> tuple[str, tuple]:
        # Unordered rows: json_agg orders them by id (sorting text by collation costs more than the rest).
        compiled = [rows.order_by().query.sql_with_params() for rows in self.build(*self._STAND_INS[:arity])]
        parts = ", '|', ".join(f"(SELECT json_agg(t ORDER BY t.pk) FROM ({sql}) t)::text" for sql, _ in compiled)  # noqa: S608
        return f"SELECT md5(concat({parts}))", tuple(p for _, params in compiled for p in params)
