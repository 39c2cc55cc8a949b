"""What Django itself answers under /api/ (no such endpoint, a bad request, a crash): the API's error shape.

A path under /api/v1/ that no route matches reaches `unknown_endpoint`, the last route; anything Django answers
before or outside a DRF view (a malformed request, an error outside the exception handler) goes through the
handler4xx/500 views, which answer JSON for /api/ and Django's own pages for the browser app.
"""

from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from assessments.rest.errors import error_body

API_PREFIX = "/api/"


def _json(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse(error_body(detail, code), status=status)


def _not_found(request) -> JsonResponse:
    return _json(
        404, "not_found", f"No API endpoint at {request.path}; see /api/v1/schema/ (every URL ends with a slash)."
    )


@csrf_exempt  # it changes nothing; without this an unsafe method would get Django's HTML CSRF page instead
def unknown_endpoint(request, *args, **kwargs):
    """A path under /api/v1/ that names no endpoint (every endpoint's URL ends with a slash)."""
    return _not_found(request)


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request, exception):
    if _is_api(request):
        return _json(400, "bad_request", "The request could not be read (malformed, or too large).")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return _json(403, "permission_denied", str(exception) or "You do not have permission to do this.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        return _not_found(request)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _json(500, "server_error", "Something went wrong on our side; it has been logged.")
    return defaults.server_error(request)
