"""The rate limiter counts per window in the cache at a constant cost and still refuses what is over the rate."""

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.test import RequestFactory

from assessments.rest.throttling import AnonymousThrottle

MINUTE = 60


class Clock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["the configured cache", "a local-memory cache"])
def limiter(request, monkeypatch):
    """An anonymous limiter of 10 a minute on a clock the test moves, for an address no other test uses; counted
    in the configured cache (Redis when REDIS_URL is set: one pipelined round trip) and in a local-memory one (the
    cache API's generic path)."""
    monkeypatch.setattr(AnonymousThrottle, "rate", "10/min", raising=False)
    store = cache if request.param == "the configured cache" else LocMemCache("throttle-test", {})
    store.clear()  # local-memory caches of one name share their store across instances
    monkeypatch.setattr(AnonymousThrottle, "cache", store)
    clock = Clock(1_000_000 * MINUTE + 59.0)  # the last second of a window
    request = RequestFactory().get("/api/v1/projects/", REMOTE_ADDR="192.0.2.77")
    state = SimpleNamespace(clock=clock, last=None, cache=store)

    def allowed() -> bool:
        state.last = AnonymousThrottle()
        state.last.timer = clock
        return state.last.allow_unauthenticated(request)

    state.allowed = allowed
    return state


def test_the_rate_is_refused_once_reached(limiter):
    assert [limiter.allowed() for _ in range(11)] == [True] * 10 + [False]
    assert 1 <= limiter.last.wait() <= MINUTE


def test_the_previous_window_counts_for_the_part_still_within_the_last_minute(limiter):
    assert all(limiter.allowed() for _ in range(10))
    limiter.clock.now += 31  # half-way through the next window: half of the previous one still counts
    assert [limiter.allowed() for _ in range(6)] == [True] * 5 + [False]
    assert 1 <= limiter.last.wait() <= 30
    limiter.clock.now += 30  # the previous window is now wholly over a minute old
    assert limiter.allowed()


def test_what_is_stored_is_a_count_whatever_the_number_of_requests(limiter):
    for _ in range(10):
        limiter.allowed()
    assert limiter.cache.get("throttle_anon_192.0.2.77:1000000") == 10


def test_refused_requests_do_not_count(limiter):
    assert [limiter.allowed() for _ in range(15)] == [True] * 10 + [False] * 5
    assert limiter.cache.get("throttle_anon_192.0.2.77:1000000") == 10
    limiter.clock.now += 31  # half-way through the next window: half of the 10 (not of 15) still weighs
    assert [limiter.allowed() for _ in range(6)] == [True] * 5 + [False]
