"""Sign-in with a throttle on failed attempts; the other account pages are Django's own views."""

import logging

from django.contrib.auth.views import LoginView
from django.core.cache import cache

logger = logging.getLogger(__name__)

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def _key(request, username: str) -> str:
    return f"login-failures:{request.META.get('REMOTE_ADDR', '')}:{username.strip().lower()}"


def _failures(key: str) -> int:
    try:
        return cache.get(key, 0)
    except Exception:
        # A cache outage must not lock everyone out; the throttle is a brake, not a gate.
        logger.warning("Login throttle unavailable (cache error)", exc_info=True)
        return 0


def _count_failure(key: str) -> None:
    try:
        if not cache.add(key, 1, WINDOW_SECONDS):
            cache.incr(key)
    except Exception:
        logger.warning("Login throttle unavailable (cache error)", exc_info=True)


class ThrottledLoginView(LoginView):
    """Refuses a username from an address after MAX_FAILURES failed attempts in WINDOW_SECONDS."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        self._throttle_key = _key(request, request.POST.get("username", ""))
        if _failures(self._throttle_key) >= MAX_FAILURES:
            # The password is not even checked: a locked-out guesser learns nothing from the answer.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            message = f"Too many failed sign-ins. Wait {WINDOW_SECONDS // 60} minutes, or reset your password."
            return self.render_to_response(self.get_context_data(form=form, throttled=message), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        _count_failure(self._throttle_key)
        return super().form_invalid(form)

    def form_valid(self, form):
        try:
            cache.delete(self._throttle_key)
        except Exception:
            logger.warning("Login throttle unavailable (cache error)", exc_info=True)
        return super().form_valid(form)
