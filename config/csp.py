"""django-csp's middleware, with the settings' policy written once per process instead of rebuilt per response.

django-csp builds the header from CONTENT_SECURITY_POLICY on every response (a dataclass copied with asdict(),
every directive copied and joined): a tenth of the API's fixed cost (issue 10). Most responses use the
settings' policy unchanged, so its text is the same every time. A response that changes it (the csp_update,
csp_replace or csp decorators) or a page that used the nonce goes through django-csp's own code as before.
"""

import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What django-csp's decorators set on a response to change its policy.
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


class CSPMiddleware(DjangoCSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        # (settings object, header text), per header: rebuilt when the settings object changes (override_settings).
        self._built: dict[bool, tuple[object, str]] = {}

    def _policy(self, report_only: bool) -> tuple[str, tuple[str, ...]]:
        """The header text of the settings' policy and its excluded URL prefixes."""
        source = getattr(
            settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY", None
        )
        built = self._built.get(report_only)
        if built is None or built[0] is not source:
            built = self._built[report_only] = (source, build_policy(report_only=report_only))
        return built[1], tuple((source or {}).get("EXCLUDE_URL_PREFIXES", None) or ())

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, a) for a in _PER_RESPONSE):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        # The same conditions as django-csp's: a header the view set itself, an exempt view, an excluded path.
        for header, report_only, exempt in (
            (HEADER, False, "_csp_exempt"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro"),
        ):
            text, excluded = self._policy(report_only)
            if (
                text
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = text
        # As django-csp does: a nonce asked for after the header is written could not be in it.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
