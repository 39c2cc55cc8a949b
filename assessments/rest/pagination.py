"""Cursor pagination for sync clients: a stable order, `updated_since`, and a resume point that loses nothing.

Every list is ordered by (updated_at, id) (or (created_at, id) for append-only feeds) and pages forward with
an opaque cursor holding the last position. `updated_since` (inclusive, ISO 8601) starts a pass.

Each response carries `next_updated_since`: pass it as `updated_since` in the next sync pass. It is the time
the pass started, moved back to the start of the oldest transaction still open at that moment (minus a small
margin, API_SYNC_MARGIN_SECONDS). A write stamps `updated_at` inside its transaction, so a row that was not
yet committed when the pass began has `updated_at` at or after that point and is picked up by the next pass;
a row stamped earlier was committed before the pass began and is in this one. The value is taken on the first
page and carried in the cursor, so every page of a pass reports the same one. A client therefore sees every
change at least once (some twice: dedupe by id and version).
"""

import base64
import binascii
import datetime
import json

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


def _invalid(message: str, code: str = "invalid_parameter"):
    from assessments.rest.errors import ApiError

    return ApiError(message, code=code, status_code=400)


def parse_instant(raw: str, name: str) -> datetime.datetime:
    # A "+" in a query string arrives as a space when the client did not encode it.
    message = f"`{name}` must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z."
    try:
        value = parse_datetime(raw.strip().replace(" ", "+")) if raw else None
        if value is None:
            raise _invalid(message)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, datetime.UTC)
        # In UTC before it reaches the database, which accepts offsets up to 15:59 only.
        return value.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        raise _invalid(message) from None


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


def _encode_cursor(position: datetime.datetime, pk: int, watermark: datetime.datetime) -> str:
    raw = json.dumps({"t": iso(position), "i": pk, "w": iso(watermark)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(raw: str) -> tuple[datetime.datetime, int, datetime.datetime]:
    try:
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        position, pk, watermark = parse_datetime(data["t"]), int(data["i"]), parse_datetime(data["w"])
    except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError):
        position = None
    if position is None or watermark is None:
        raise _invalid("The cursor is not valid; start again without it.", "invalid_cursor")
    return position, pk, watermark


class SyncCursorPagination(BasePagination):
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        field = getattr(view, "sync_field", "updated_at")
        params = request.query_params
        self.request = request
        self.server_time = timezone.now()
        self.page_size = self._page_size(params.get(self.page_size_query_param))
        if params.get("updated_since"):
            queryset = queryset.filter(**{f"{field}__gte": parse_instant(params["updated_since"], "updated_since")})
        if params.get("cursor"):
            position, pk, self.watermark = _decode_cursor(params["cursor"])
            queryset = queryset.filter(Q(**{f"{field}__gt": position}) | Q(**{field: position, "pk__gt": pk}))
        else:
            self.watermark = sync_watermark()
        rows = list(queryset.order_by(field, "pk")[: self.page_size + 1])
        self.next_cursor = None
        if len(rows) > self.page_size:
            rows = rows[: self.page_size]
            last = rows[-1]
            self.next_cursor = _encode_cursor(getattr(last, field), last.pk, self.watermark)
        return rows

    def _page_size(self, raw: str | None) -> int:
        if raw in (None, ""):
            return DEFAULT_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            raise _invalid(f"`page_size` must be a whole number from 1 to {MAX_PAGE_SIZE}.") from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise _invalid(f"`page_size` must be a whole number from 1 to {MAX_PAGE_SIZE}.")
        return size

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
                "description": f"Only rows whose `{field}` is at or after this instant (ISO 8601).",
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Opaque position from a previous page's `next` link.",
                "schema": {"type": "string"},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
