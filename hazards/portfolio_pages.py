"""The rendered portfolio (page body and API answer), cached under everything it shows.

For a manager of 100 projects, building and rendering the portfolio (100 assessments with their matrices,
50 overdue mitigations, the heat map, the filters' choices) costs a hundred times what reading its inputs
does. So each request first reads those inputs, cheaply, as plain values: the user's tracked assessments
with their content counters and every column the page shows of them, the user's projects and colleagues
(the filters' choices). The rendered result is cached under a digest of them, the user, the query string,
the day and the language; any change to one of them is a new key, and an entry can never be older than
its key because the inputs are read before the result is built.

What the rows show comes from the assessments' content, which `content_seq` guards (every content write
bumps it under the assessment's lock, hazards.services.common), except the names of the people they show
(owners, acceptors), whom a rename could change without touching any assessment: an entry stores those
names and a hit compares them with the users' current ones (one query).
"""

import datetime
import functools
import hashlib
import logging
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone, translation

from assessments import workflow
from assessments.models import Assessment, Project
from hazards.selectors import visible_to

logger = logging.getLogger(__name__)

VERSION = 1  # bump when what is cached changes shape (a template or serializer change is a deploy)
CACHE_SECONDS = 24 * 3600  # keys die with any change or at the end of the day; this only frees memory


@dataclass(frozen=True)
class Inputs:
    """What a portfolio answer depends on, read for one request, and the cache key they make."""

    key: str
    today: datetime.date


def _assessments(user: User) -> QuerySet:
    # Every column the portfolio shows of an assessment, and its content counter.
    tracked = Assessment.objects.filter(visible_to(user, prefix=""), status__in=workflow.TRACKING_STATUSES)
    shown = ["status", "title", "revision", "due_date", "next_review_date", "project_id", "project__name"]
    return tracked.values_list("pk", "content_seq", *shown)


def projects(user: User) -> QuerySet:
    """The user's projects as (id, name), by name: the project filter's choices."""
    return Project.objects.filter(memberships__user=user).order_by("name", "pk").values_list("pk", "name")


def colleagues(user: User) -> QuerySet:
    """Active members of any of the user's projects as (id, username): the owner filter's choices."""
    return (
        User.objects.filter(memberships__project__memberships__user=user, is_active=True)
        .distinct()
        .order_by("username")
        .values_list("pk", "username")
    )


_SOMEONE = -7_302_117  # no user has this id: it stands for the user's in the statement compiled once


def _parts(user: User) -> list[QuerySet]:
    # Unordered: json_agg orders by id, and sorting titles and names by collation costs more than the rest.
    return [rows.order_by() for rows in (_assessments(user), projects(user), colleagues(user))]


@functools.cache
def _statement() -> tuple[str, tuple]:
    """One statement in which PostgreSQL serialises and hashes the rows of the three querysets: no row is built
    in Python, and the querysets (with the one scope rule, visible_to) stay the only definition of what is
    read. Compiled once per process, the user's id being a parameter; the SQL is the ORM's own."""
    compiled = [rows.query.sql_with_params() for rows in _parts(User(pk=_SOMEONE))]
    aggregated = ", '|', ".join(f"(SELECT json_agg(t ORDER BY t.pk) FROM ({sql}) t)::text" for sql, _ in compiled)  # noqa: S608
    return f"SELECT md5(concat({aggregated}))", tuple(p for _, params in compiled for p in params)


def _fingerprint(user: User) -> str:
    if connection.vendor != "postgresql":
        return repr([list(rows) for rows in _parts(user)])
    sql, params = _statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if p == _SOMEONE else p for p in params])
        return cursor.fetchone()[0]


def inputs(*, user: User, part: str, query_string: str) -> Inputs:
    """Read the portfolio's inputs for `user` (one query on PostgreSQL) and make their cache key.

    `part` names what is cached ("page", "api"): each renders the same inputs differently.
    """
    today = timezone.localdate()
    seen = (VERSION, part, user.pk, query_string, today.isoformat(), translation.get_language(), _fingerprint(user))
    digest = hashlib.blake2b(repr(seen).encode(), digest_size=20).hexdigest()
    return Inputs(key=f"portfolio-page:{part}:{user.pk}:{digest}", today=today)


def get(seen: Inputs):
    """The cached answer for these inputs, or None (not cached, a person shown since renamed, cache down)."""
    try:
        entry = cache.get(seen.key)
    except Exception:  # a cache outage must not take the page down; it only makes it slower
        logger.warning("portfolio cache unavailable", exc_info=True)
        return None
    if entry is None:
        return None
    people, value = entry
    if people and dict(User.objects.filter(pk__in=people).values_list("pk", "username")) != people:
        return None
    return value


def put(seen: Inputs, value, *, people: dict[int, str]) -> None:
    """Cache `value` (rendered from data read after `seen`) with the names of the people it shows."""
    try:
        cache.set(seen.key, (people, value), CACHE_SECONDS)
    except Exception:
        logger.warning("portfolio cache unavailable", exc_info=True)
