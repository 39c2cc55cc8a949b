"""Idempotent POSTs: a retry with the same `Idempotency-Key` and body returns the first response, creating nothing.

The record of a key is inserted in the same transaction as the work it guards, and only committed with it.
A concurrent retry's insert therefore waits on the unique index until the first request ends: it then finds
the stored response (first request succeeded) or runs itself (first request failed and rolled back). Only
successful (2xx) responses are stored; an error leaves nothing behind, so the client can fix and retry.
The same key with a different method, path or body is refused with 422. Keys are per user and kept for
API_IDEMPOTENCY_TTL_HOURS (24 by default); a periodic task deletes older ones.

A handler whose work must be followed by a step after the commit (publishing the task for a job it recorded:
a worker must never look for a row it cannot see yet) passes that step as `then`. The key's record commits
with the work, still in progress (a retry meanwhile is told to come back), and takes the final answer once
the step is done; if the step answers an error (the queue is down), the record is deleted again like any
error's, so a retry with the key runs anew.
"""

import datetime
import functools
import hashlib
import json
import re
from collections.abc import Callable

from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from assessments.models import IdempotencyRecord
from assessments.rest.errors import ApiError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Printable ASCII, neither starting nor ending with a space (HTTP would strip it on the way): the OpenAPI
# schema declares this same pattern, so that every key it allows is taken.
KEY_PATTERN = rf"^[\x21-\x7e](?:[\x20-\x7e]{{0,{MAX_KEY_LENGTH - 2}}}[\x21-\x7e])?$"
# How long a retry waits for the first request with its key to finish before it is told to come back.
WAIT_FOR_FIRST_SECONDS = 15
REPLAYED_HEADERS = ("ETag", "Location")
LOCK_NOT_AVAILABLE = "55P03"
# A record still in progress this long after its work committed belongs to a request that died before its
# `then` step answered; it is dropped so that the key can be used again.
ABANDONED_AFTER = datetime.timedelta(minutes=5)


def _body_value(value) -> str:
    """An uploaded file counts by its bytes, not its name: the same key with another file is another request."""
    if hasattr(value, "chunks"):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return f"file:{value.name}:{digest.hexdigest()}"
    return str(value)


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=_body_value)
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _in_progress() -> ApiError:
    return ApiError(
        "A request with this Idempotency-Key is still being processed; retry in a moment.",
        code="idempotency_key_in_progress",
        status_code=409,
        headers={"Retry-After": "2"},
    )


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


def _ok(response) -> bool:
    return 200 <= response.status_code < 300


def _store(record: IdempotencyRecord, response: Response) -> None:
    record.state = IdempotencyRecord.State.DONE
    record.response_status = response.status_code
    # The exact bytes, so that a replay is identical to the first response.
    record.response_body = JSONRenderer().render(response.data).decode("utf-8")
    record.response_headers = {h: response[h] for h in REPLAYED_HEADERS if response.has_header(h)}
    record.save(update_fields=["state", "response_status", "response_body", "response_headers"])


def run(request, handler, *, then: Callable[[Response], Response] | None = None) -> Response:
    """Run `handler` (the work, in one transaction with the key's record), then `then` after the commit."""
    key = request.headers.get(HEADER)
    if key is None:
        response = handler()
        return then(response) if then is not None and _ok(response) else response
    if re.fullmatch(KEY_PATTERN, key) is None:
        message = (
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters, not starting or ending with a space."
        )
        raise ApiError(message, code="invalid_idempotency_key", status_code=400, errors={HEADER: [message]})
    fp = fingerprint(request)
    with transaction.atomic():
        _set_lock_timeout(f"'{WAIT_FOR_FIRST_SECONDS}s'")
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=request.user, key=key, fingerprint=fp)
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(user=request.user, key=key)
            if existing.state == IdempotencyRecord.State.DONE or existing.fingerprint != fp:
                return _replay(existing, fp)
            unfinished = existing  # its work committed; its `then` step has not answered yet
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise _in_progress() from None
        else:
            unfinished = None
            _set_lock_timeout("DEFAULT")
            response = handler()
            if not _ok(response):
                transaction.set_rollback(True)
                return response
            if then is None:
                _store(record, response)
                return response
    if unfinished is not None:
        # Outside the transaction, so that dropping an abandoned record is not rolled back with the refusal.
        IdempotencyRecord.objects.filter(
            pk=unfinished.pk,
            state=IdempotencyRecord.State.IN_PROGRESS,
            created_at__lt=timezone.now() - ABANDONED_AFTER,
        ).delete()
        raise _in_progress()
    try:
        response = then(response)
    except BaseException:
        record.delete()
        raise
    if _ok(response):
        _store(record, response)
    else:
        record.delete()
    return response


def idempotent(view_method=None, *, then: str | None = None):
    """Decorate a POST handler of a viewset (create or an action) to honour Idempotency-Key.

    `then` names a method of the viewset, `(request, response) -> response`, run after the commit.
    """

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, request, *args, **kwargs):
            after = functools.partial(getattr(self, then), request) if then else None
            return run(request, lambda: method(self, request, *args, **kwargs), then=after)

        wrapper.idempotent = True
        return wrapper

    return decorate(view_method) if view_method is not None else decorate
