"""Idempotent POSTs: a retry with the same `Idempotency-Key` and body returns the first response, creating nothing.

The record of a key is inserted in the same transaction as the work it guards, and only committed with it.
A concurrent retry's insert therefore waits on the unique index until the first request ends: it then finds
the stored response (first request succeeded) or runs itself (first request failed and rolled back). Only
successful (2xx) responses are stored; an error leaves nothing behind, so the client can fix and retry.
The same key with a different method, path or body is refused with 422. Keys are per user and kept for
API_IDEMPOTENCY_TTL_HOURS (24 by default); a periodic task deletes older ones.
"""

import functools
import hashlib
import json
import re

from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from assessments.models import IdempotencyRecord
from assessments.rest.errors import ApiError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_PATTERN = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_LENGTH}}}")
# How long a retry waits for the first request with its key to finish before it is told to come back.
WAIT_FOR_FIRST_SECONDS = 15
REPLAYED_HEADERS = ("ETag", "Location")
LOCK_NOT_AVAILABLE = "55P03"


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord, fp: str) -> Response:
    if record.fingerprint != fp:
        raise ApiError(
            "This Idempotency-Key was already used for a different request (method, path or body); "
            "use a new key for a new request.",
            code="idempotency_key_reused",
            status_code=422,
        )
    response = HttpResponse(record.response_body, status=record.response_status, content_type="application/json")
    for header, value in {**record.response_headers, "Idempotent-Replayed": "true"}.items():
        response[header] = value
    return response


def _set_lock_timeout(value: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = {value}")


def run(request, handler) -> Response:
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    if not KEY_PATTERN.fullmatch(key) or not key.strip():
        raise ApiError(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            code="invalid_idempotency_key",
            status_code=400,
        )
    fp = fingerprint(request)
    with transaction.atomic():
        _set_lock_timeout(f"'{WAIT_FOR_FIRST_SECONDS}s'")
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=request.user, key=key, fingerprint=fp)
        except IntegrityError:
            return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), fp)
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise ApiError(
                "A request with this Idempotency-Key is still being processed; retry in a moment.",
                code="idempotency_key_in_progress",
                status_code=409,
                headers={"Retry-After": "2"},
            ) from None
        _set_lock_timeout("DEFAULT")
        response = handler()
        if 200 <= response.status_code < 300:
            record.state = IdempotencyRecord.State.DONE
            record.response_status = response.status_code
            # The exact bytes, so that a replay is identical to the first response.
            record.response_body = JSONRenderer().render(response.data).decode("utf-8")
            record.response_headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
            record.save(update_fields=["state", "response_status", "response_body", "response_headers"])
        else:
            transaction.set_rollback(True)
        return response


def idempotent(view_method):
    """Decorate a POST handler of a viewset (create or an action) to honour Idempotency-Key."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        return run(request, lambda: view_method(self, request, *args, **kwargs))

    wrapper.idempotent = True
    return wrapper
