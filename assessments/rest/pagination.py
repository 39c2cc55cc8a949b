"""Cursor pagination for sync clients: a stable order, `updated_since`, and a resume point that loses nothing.

Every list is ordered by (updated_at, id) (or (created_at, id) for append-only feeds) and pages forward with
an opaque cursor holding the last position. `updated_since` (inclusive, an RFC 3339 date-time) starts a pass.

Every parameter's rule is a pattern here that both the parser and the OpenAPI schema use, so that a value the
schema allows is never refused and one it forbids never accepted: the cursor is three decimal numbers (the
last row's position and the pass's resume point in microseconds since the epoch, and the last row's id), so
that every string of that shape is a position one can page from.

Each response carries `next_updated_since`: pass it as `updated_since` in the next sync pass. It is the time
the pass started, moved back to the start of the oldest transaction still open at that moment (minus a small
margin, API_SYNC_MARGIN_SECONDS). A write stamps `updated_at` inside its transaction, so a row that was not
yet committed when the pass began has `updated_at` at or after that point and is picked up by the next pass;
a row stamped earlier was committed before the pass began and is in this one. The value is taken on the first
page and carried in the cursor, so every page of a pass reports the same one. A client therefore sees every
change at least once (some twice: dedupe by id and version).
"""

import datetime
import re

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
# RFC 3339's date-time (OpenAPI's `format: date-time`): the offset is required, a second fraction optional.
DATE_TIME = re.compile(
    r"^(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})(?P<fraction>\.[0-9]+)?"
    r"(?P<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
# At most 16 digits of microseconds (until the year 2286) and 18 of id (a bigint): always a valid position.
CURSOR_PATTERN = r"^[0-9]{1,16}\.[0-9]{1,18}\.[0-9]{1,16}$"
PAGE_SIZE_PATTERN = re.compile(r"^-?[0-9]+$")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _invalid(name: str, message: str, code: str = "invalid_parameter"):
    from assessments.rest.errors import ApiError

    return ApiError(message, code=code, status_code=400, errors={name: [message]})


def parse_instant(raw: str, name: str) -> datetime.datetime:
    message = f"`{name}` must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T12:00:00Z."
    # A "+" in a query string arrives as a space when the client did not encode it.
    match = DATE_TIME.fullmatch(raw.replace(" ", "+"))
    if match is None:
        raise _invalid(name, message)
    try:
        value = datetime.datetime.fromisoformat(
            f"{match['date']}T{match['time']}{match['fraction'] or ''}{match['offset'].upper()}"
        )
        # In UTC before it reaches the database, which accepts offsets up to 15:59 only.
        return value.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise _invalid(name, message) from None


def iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")


def sync_watermark() -> datetime.datetime:
    """The earliest instant at which a write not yet visible to us may have stamped its rows."""
    margin = datetime.timedelta(seconds=settings.HAZLOG_SYNC_MARGIN_SECONDS)
    if connection.vendor != "postgresql":
        return timezone.now() - margin
    with connection.cursor() as cursor:
        # Sessions of the same database role (web and workers share one) show their transaction start.
        cursor.execute(
            """
            SELECT LEAST(clock_timestamp(), (
                SELECT min(xact_start) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND backend_type = 'client backend' AND state <> 'idle' AND xact_start IS NOT NULL
            ))
            """
        )
        (oldest,) = cursor.fetchone()
    return min(oldest, timezone.now()) - margin


def _micros(value: datetime.datetime) -> int:
    return (value - EPOCH) // datetime.timedelta(microseconds=1)


def _encode_cursor(position: datetime.datetime, pk: int, watermark: datetime.datetime) -> str:
    return f"{_micros(position)}.{pk}.{_micros(watermark)}"


def _decode_cursor(raw: str) -> tuple[datetime.datetime, int, datetime.datetime]:
    if re.fullmatch(CURSOR_PATTERN, raw) is None:
        raise _invalid("cursor", "The cursor is not valid; start again without it.", "invalid_cursor")
    position, pk, watermark = (int(part) for part in raw.split("."))
    return EPOCH + datetime.timedelta(microseconds=position), pk, EPOCH + datetime.timedelta(microseconds=watermark)


class SyncCursorPagination(BasePagination):
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        field = getattr(view, "sync_field", "updated_at")
        params = request.query_params
        self.request = request
        self.server_time = timezone.now()
        self.page_size = self._page_size(params.get(self.page_size_query_param))
        # Present but empty is a mistake like any other value that is not a date-time, not "no filter".
        if "updated_since" in params:
            queryset = queryset.filter(**{f"{field}__gte": parse_instant(params["updated_since"], "updated_since")})
        if "cursor" in params:
            position, pk, self.watermark = _decode_cursor(params["cursor"])
            queryset = queryset.filter(Q(**{f"{field}__gt": position}) | Q(**{field: position, "pk__gt": pk}))
        else:
            self.watermark = sync_watermark()
        rows = list(queryset.order_by(field, "pk")[: self.page_size + 1])
        self.next_cursor = None
        if len(rows) > self.page_size:
            rows = rows[: self.page_size]
            last = rows[-1]
            # Model instances, or values() rows of the read fast path.
            position, pk = (last[field], last["id"]) if isinstance(last, dict) else (getattr(last, field), last.pk)
            self.next_cursor = _encode_cursor(position, pk, self.watermark)
        return rows

    def _page_size(self, raw: str | None) -> int:
        if raw is None:
            return DEFAULT_PAGE_SIZE
        # Not int(): it also takes " 5", "+5", "5_0" and other digits than 0-9, which the schema's integer does not.
        if PAGE_SIZE_PATTERN.fullmatch(raw) is None or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise _invalid("page_size", f"`page_size` must be a whole number from 1 to {MAX_PAGE_SIZE}.")
        return int(raw)

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        return replace_query_param(self.request.build_absolute_uri(), "cursor", self.next_cursor)

    def get_paginated_response(self, data):
        return Response(
            {
                "next": self.get_next_link(),
                "next_updated_since": iso(self.watermark),
                "server_time": iso(self.server_time),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "next_updated_since", "server_time", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page of this pass, or null on the last page.",
                },
                "next_updated_since": {
                    "type": "string",
                    "format": "date-time",
                    "description": "Pass as `updated_since` in the next sync pass; the same on every page.",
                },
                "server_time": {"type": "string", "format": "date-time", "description": "The server's clock."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        field = getattr(view, "sync_field", "updated_at")
        return [
            {
                "name": "updated_since",
                "in": "query",
                "required": False,
                "description": (
                    f"Only rows whose `{field}` is at or after this instant: an RFC 3339 date-time with its "
                    "offset, e.g. 2026-01-31T12:00:00Z (encode a `+` as %2B)."
                ),
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque position from a previous page's `next` link; pass it back unchanged.",
                "schema": {"type": "string", "pattern": CURSOR_PATTERN},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
