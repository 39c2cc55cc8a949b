"""Rate limits: per token for token clients, per user for browser sessions, per address for anonymous calls."""

from django.core.cache.backends.redis import RedisCacheClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from assessments.models import ApiToken


class WindowCounter:
    """A sliding-window estimate from two counters: the requests of the current fixed window plus those of the
    previous one, weighed by how much of it still lies within the last `duration` seconds.

    Constant cost per request (a read of two integers and an increment, one round trip to Redis), where DRF's
    SimpleRateThrottle reads and writes the list of every request time of the window, up to `num_requests`
    floats pickled both ways on every call (issue 10). The estimate assumes the previous window's requests were
    spread evenly.
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
        self.elapsed = now - window * self.duration
        # Django's cache client of a Redis cache (private, but the only way to its connection pool): one round
        # trip instead of three (a read, then incr(), which is an EXISTS and an INCRBY), issue 10.
        client = getattr(self.cache, "_cache", None)
        if isinstance(client, RedisCacheClient):
            return self._count_in_redis(client, current, previous)
        counts = self.cache.get_many([current, previous])
        self.counts = (counts.get(previous, 0), counts.get(current, 0))
        if self._over():
            return False
        # add() starts the window's counter; when it exists (or another request started it first), incr().
        if current in counts or not self.cache.add(current, 1, 2 * self.duration):
            try:
                self.cache.incr(current)
            except ValueError:  # expired in between
                self.cache.add(current, 1, 2 * self.duration)
        return True

    def _over(self) -> bool:
        previous, current = self.counts
        return previous * (1 - self.elapsed / self.duration) + current >= self.num_requests

    def _count_in_redis(self, client: RedisCacheClient, current: str, previous: str) -> bool:
        """Count this request first, atomically, then undo it if it is refused: refusals do not count, as above.

        The keys and the plain-integer values are the cache's own, so cache.get() reads the same counts."""
        current, previous = self.cache.make_and_validate_key(current), self.cache.make_and_validate_key(previous)
        redis = client.get_client(current, write=True)
        pipe = redis.pipeline(transaction=False)
        pipe.set(current, 0, ex=2 * self.duration, nx=True)  # starts the window's counter with its expiry
        pipe.incr(current)
        pipe.get(previous)
        _, counted, before = pipe.execute()
        self.counts = (int(before or 0), counted - 1)
        if self._over():
            redis.decr(current)
            return False
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
