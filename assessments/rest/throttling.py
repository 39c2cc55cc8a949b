"""Rate limits: per token for token clients, per user for browser sessions, per address for anonymous calls."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from assessments.models import ApiToken


class AnonymousThrottle(AnonRateThrottle):
    scope = "anon"
    known_anonymous = False

    def allow_unauthenticated(self, request) -> bool:
        """For a caller known to be anonymous before request.user exists (a token that failed)."""
        self.known_anonymous = True
        return self.allow_request(request, None)

    def get_cache_key(self, request, view):
        if not self.known_anonymous and request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenThrottle(UserRateThrottle):
    """Each token has its own budget, so one runaway sync client does not lock its owner out of the others."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        ident = f"token-{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
