"""The identity provider's endpoints and issuer: from the settings, else from its discovery document."""

import contextlib
import hashlib
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.cache import cache

DISCOVERY_CACHE_SECONDS = 3600

# Setting → key of the discovery document (OpenID Connect Discovery 1.0, section 3).
DISCOVERY_KEYS = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",  # OpenID Connect RP-Initiated Logout 1.0
}


class ProviderUnavailable(Exception):
    """The discovery document could not be fetched or lacks an endpoint."""


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def button_label() -> str:
    return f"Sign in with {settings.OIDC_PROVIDER_NAME}"


def _discovery() -> dict:
    url = settings.OIDC_OP_DISCOVERY_URL
    cache_key = "oidc-discovery:" + hashlib.sha256(url.encode()).hexdigest()
    document = None
    with contextlib.suppress(Exception):
        document = cache.get(cache_key)
    if document is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"discovery document {url} unavailable: {exc}") from exc
        if not isinstance(document, dict):
            raise ProviderUnavailable(f"discovery document {url} is not a JSON object")
        # A cache outage only costs a fetch per sign-in.
        with contextlib.suppress(Exception):
            cache.set(cache_key, document, DISCOVERY_CACHE_SECONDS)
    return document


def value(setting: str) -> str:
    """An endpoint or the issuer: the setting when given, else the discovery document's entry."""
    configured = getattr(settings, setting)
    if configured or not settings.OIDC_OP_DISCOVERY_URL:
        return configured
    found = _discovery().get(DISCOVERY_KEYS[setting])
    if not isinstance(found, str) or not found:
        raise ProviderUnavailable(f"the discovery document has no {DISCOVERY_KEYS[setting]}")
    return found


def logout_url(*, id_token: str | None, after: str) -> str | None:
    """Where to send the browser to end the provider's session too (RP-initiated logout), then come back to
    `after`; None when there is no ID token or the provider offers no end-session endpoint."""
    if not enabled() or not id_token:
        return None
    try:
        endpoint = value("OIDC_OP_LOGOUT_ENDPOINT")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": after, "client_id": settings.OIDC_RP_CLIENT_ID}
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"
