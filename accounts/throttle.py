"""Counting failed sign-in steps (passwords, second-factor codes) per address and account, in the cache."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

MAX_FAILURES = 10
WINDOW_SECONDS = 15 * 60


def key(request, *, scope: str, who: str) -> str:
    return f"{scope}-failures:{request.META.get('REMOTE_ADDR', '')}:{who.strip().lower()}"


def is_throttled(throttle_key: str) -> bool:
    try:
        return cache.get(throttle_key, 0) >= MAX_FAILURES
    except Exception:
        # A cache outage must not lock everyone out; the throttle is a brake, not a gate.
        logger.warning("Sign-in throttle unavailable (cache error)", exc_info=True)
        return False


def count_failure(throttle_key: str) -> None:
    try:
        if not cache.add(throttle_key, 1, WINDOW_SECONDS):
            cache.incr(throttle_key)
    except Exception:
        logger.warning("Sign-in throttle unavailable (cache error)", exc_info=True)


def clear(throttle_key: str) -> None:
    try:
        cache.delete(throttle_key)
    except Exception:
        logger.warning("Sign-in throttle unavailable (cache error)", exc_info=True)


def refusal_message() -> str:
    return f"Too many failed sign-ins. Wait {WINDOW_SECONDS // 60} minutes, or reset your password."
