"""Rate limits: per token for token clients, per user for browser sessions, per address for anonymous calls."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from assessments.models import ApiToken


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"


class TokenThrottle(UserRateThrottle):
    """Each token has its own budget, so one runaway sync client does not lock its owner out of the others."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        ident = f"token-{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
