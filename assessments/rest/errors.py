"""The API's one exception handler: every error is `{"detail", "code", "errors"?}` with a fitting status.

InvalidInput → 400 with field errors, StaleVersion → 412 with the current representation (and its ETag),
InvalidTransition and ContentFrozen → 409, PermissionDenied → 403, Http404 → 404, throttled → 429 with
Retry-After, a database or file store that is down → 503 with Retry-After, and any other exception → 500 (logged).
"""

import logging
import math

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from assessments.errors import ContentFrozen, InvalidInput, InvalidTransition, StaleVersion, StorageUnavailable
from assessments.rest import representations
from assessments.rest.conditional import etag_for

logger = logging.getLogger("hazlog.api")


class ApiError(exceptions.APIException):
    """An error with its own status and code, raised by the API framework itself (cursor, headers, keys)."""

    def __init__(
        self, detail: str, *, code: str, status_code: int, headers: dict | None = None, errors: dict | None = None
    ):
        super().__init__(detail, code)
        self.status_code = status_code
        self.code = code
        self.headers = headers or {}
        # Messages per parameter or header, so that a client can tell which one to fix.
        self.errors = errors


def _field_errors(detail, field_map: dict[str, str]) -> dict:
    if isinstance(detail, dict):
        result = {}
        for field, value in detail.items():
            name = "non_field_errors" if field == "__all__" else field_map.get(field, field)
            result[name] = _messages(value)
        return result
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list[str]:
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            out.extend(_messages(item) if isinstance(item, (list, tuple, dict)) else [str(item)])
        return out
    if isinstance(value, dict):
        return [f"{k}: {' '.join(_messages(v))}" for k, v in value.items()]
    return [str(value)]


def error_body(detail: str, code: str, errors: dict | None = None, **extra) -> dict:
    """The one error shape of the API: `{"detail", "code", "errors"?}` (and `current` on a 412)."""
    result = {"detail": detail, "code": code}
    if errors:
        result["errors"] = errors
    result.update(extra)
    return result


def _stale(exc: StaleVersion, view) -> Response:
    current = representations.represent(exc.current)
    return Response(
        error_body(
            "The object was changed by someone else since the version you sent (If-Match). Nothing was "
            "saved; the current version is in `current`.",
            StaleVersion.code,
            current=current,
        ),
        status=status.HTTP_412_PRECONDITION_FAILED,
        headers={"ETag": etag_for(exc.current)},
    )


def api_exception_handler(exc, context):
    view = context.get("view")
    field_map = getattr(view, "error_field_map", {})
    if isinstance(exc, StaleVersion):
        set_rollback()
        return _stale(exc, view)
    if isinstance(exc, InvalidInput):
        set_rollback()
        return Response(
            error_body(exc.message, InvalidInput.code, _field_errors(exc.errors, field_map)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, (InvalidTransition, ContentFrozen)):
        set_rollback()
        return Response(error_body(exc.message, exc.code), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, IntegrityError):
        # A uniqueness race the services' checks could not see (two clients creating the same ticket key
        # at once): the loser is told, nothing was written.
        set_rollback()
        logger.info("Integrity conflict in the API: %s", exc)
        return Response(
            error_body(
                "This conflicts with a change made at the same time; read the data again and retry.", "conflict"
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, StorageUnavailable):
        set_rollback()
        return Response(
            error_body(exc.message, exc.code), status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "30"}
        )
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.error("Database unavailable during an API call: %s", exc)
        return Response(
            error_body("The database is not reachable right now; retry in a moment.", "service_unavailable"),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        exc = exceptions.NotFound(str(exc) if isinstance(exc, Http404) and str(exc) else "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You do not have permission to do this.")
    if isinstance(exc, ApiError):
        set_rollback()
        return Response(error_body(str(exc.detail), exc.code, exc.errors), status=exc.status_code, headers=exc.headers)
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(math.ceil(exc.wait))
        set_rollback()
        if isinstance(exc, exceptions.ValidationError):
            body = error_body("The input is not valid; see `errors`.", "invalid", _field_errors(exc.detail, field_map))
        else:
            code = getattr(exc.detail, "code", None) or exc.default_code
            body = error_body(str(exc.detail), code)
        return Response(body, status=exc.status_code, headers=headers)
    # Anything else is a bug: logged with its traceback like Django's own 500s, answered in the same shape.
    logging.getLogger("django.request").error(
        "Internal Server Error in the API: %s", type(exc).__name__, exc_info=(type(exc), exc, exc.__traceback__)
    )
    set_rollback()
    return Response(
        error_body("Something went wrong on our side; it has been logged.", "server_error"),
        status=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )
