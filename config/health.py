"""/healthz: is the database reachable, and Redis when it is configured?

The endpoint is public, so a failing check answers only "fail" and names the failing part; the exception
(which can carry host names, user names and ports) goes to the log.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()


def _passes(name: str, check) -> bool:
    try:
        check()
    except Exception:
        logger.exception("Health check %s failed", name)
        return False
    return True


@never_cache
def healthz(request):
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results = {name: "ok" if _passes(name, check) else "fail" for name, check in checks.items()}
    failing = sorted(name for name, result in results.items() if result == "fail")
    body = {"status": "fail" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
