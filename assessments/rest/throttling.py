"""Rate limits: per token for token clients, per user for browser sessions, per address for anonymous calls."""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from assessments.models import ApiToken


class WindowCounter:
    """A sliding-window estimate from two counters: the requests of the current fixed window plus those of the
    previous one, weighed by how much of it still lies within the last `duration` seconds.

    Constant cost per request (a read of two integers and an increment), where DRF's SimpleRateThrottle reads
    and writes the list of every request time of the window, up to `num_requests` floats pickled both ways on
    every call (issue 10). The estimate assumes the previous window's requests were spread evenly.
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        current, previous = f"{self.key}:{window}", f"{self.key}:{window - 1}"
        counts = self.cache.get_many([current, previous])
        self.elapsed = now - window * self.duration
        self.counts = (counts.get(previous, 0), counts.get(current, 0))
        if self.counts[0] * (1 - self.elapsed / self.duration) + self.counts[1] >= self.num_requests:
            return False
        # add() starts the window's counter; when it exists (or another request started it first), incr().
        if current in counts or not self.cache.add(current, 1, 2 * self.duration):
            try:
                self.cache.incr(current)
            except ValueError:  # expired in between
                self.cache.add(current, 1, 2 * self.duration)
        return True

    def wait(self):
        """Seconds until the estimate falls below the limit (DRF sends it as Retry-After, rounded up)."""
        previous, current = self.counts
        remaining = self.duration - self.elapsed
        if current >= self.num_requests or previous == 0:
            return max(remaining, 1)
        # previous × (1 - (elapsed + t) / duration) + current < num_requests
        until = self.duration * (1 - (self.num_requests - current) / previous) - self.elapsed
        return min(max(until, 1), remaining)


class AnonymousThrottle(WindowCounter, AnonRateThrottle):
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


class TokenThrottle(WindowCounter, UserRateThrottle):
    """Each token has its own budget, so one runaway sync client does not lock its owner out of the others."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        ident = f"token-{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
