"""What the session says about how its user signed in: through the provider, or half-way through 2FA."""

import time

from django.contrib.auth import BACKEND_SESSION_KEY

OIDC_BACKEND = "accounts.oidc.backend.OidcBackend"
PENDING_KEY = "hazlog_second_factor_pending"
# Time between a right password and its code; after that the password must be typed again.
PENDING_SECONDS = 5 * 60


def signed_in_with_sso(request) -> bool:
    return request.session.get(BACKEND_SESSION_KEY) == OIDC_BACKEND


def pending_begin(request, *, user, next_url: str) -> None:
    # A new session key: the half-signed-in state must not ride on a session id set before the password.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        "next": next_url,
        "started": time.time(),
    }


def pending(request) -> dict | None:
    state = request.session.get(PENDING_KEY)
    if not state or time.time() - state["started"] > PENDING_SECONDS:
        return None
    return state


def pending_end(request) -> None:
    request.session.pop(PENDING_KEY, None)
