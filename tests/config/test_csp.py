"""The CSP header written once per process is the one django-csp builds, and per-response policies still work."""

import pytest
from csp.constants import NONCE
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from config.csp import CSPMiddleware

HEADER = "Content-Security-Policy"


def _through(middleware_class, response: HttpResponse, *, path: str = "/", use_nonce: bool = False) -> HttpResponse:
    request = RequestFactory().get(path)
    middleware = middleware_class(lambda r: response)
    middleware.process_request(request)
    if use_nonce:
        str(request.csp_nonce)  # a template that printed the nonce
    return middleware.process_response(request, response)


def test_the_header_is_the_one_django_csp_builds_from_the_settings():
    ours = _through(CSPMiddleware, HttpResponse("ok"))[HEADER]
    theirs = _through(DjangoCSPMiddleware, HttpResponse("ok"))[HEADER]
    assert sorted(ours.split("; ")) == sorted(theirs.split("; "))
    assert "script-src 'self'" in ours and "frame-ancestors 'none'" in ours


def test_a_header_the_view_set_itself_is_kept():
    response = HttpResponse("file")
    response[HEADER] = "default-src 'none'; sandbox"
    assert _through(CSPMiddleware, response)[HEADER] == "default-src 'none'; sandbox"


def test_an_exempt_response_gets_no_header():
    response = HttpResponse("ok")
    response._csp_exempt = True
    assert HEADER not in _through(CSPMiddleware, response)


def test_a_policy_changed_by_a_decorator_is_built_for_that_response():
    response = HttpResponse("ok")
    response._csp_update = {"img-src": ["https://tiles.example.com"]}
    assert "https://tiles.example.com" in _through(CSPMiddleware, response)[HEADER]
    assert "https://tiles.example.com" not in _through(CSPMiddleware, HttpResponse("ok"))[HEADER]


def test_a_page_that_used_the_nonce_gets_it_in_its_header(settings):
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    assert "'nonce-" in _through(CSPMiddleware, HttpResponse("ok"), use_nonce=True)[HEADER]
    assert "'nonce-" not in _through(CSPMiddleware, HttpResponse("ok"))[HEADER]


def test_a_changed_setting_is_picked_up(settings):
    middleware_response = _through(CSPMiddleware, HttpResponse("ok"))
    assert "object-src 'none'" in middleware_response[HEADER]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "data:"]}}
    header = _through(CSPMiddleware, HttpResponse("ok"))[HEADER]
    assert sorted(header.split("; ")) == ["default-src 'self'", "img-src 'self' data:"]


@pytest.mark.parametrize("middleware_class", [CSPMiddleware, DjangoCSPMiddleware])
def test_asking_for_the_nonce_after_the_header_is_written_fails_loudly(middleware_class):
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/")
    middleware = middleware_class(lambda r: HttpResponse("ok"))
    middleware.process_request(request)
    middleware.process_response(request, HttpResponse("ok"))
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
