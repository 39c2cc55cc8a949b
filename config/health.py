"""/healthz: is the database reachable, and Redis when it is configured?"""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


def _check_redis() -> str | None:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}".strip()
    return None


@never_cache
def healthz(request):
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    failing = sorted(name for name, error in checks.items() if error)
    body = {
        "status": "fail" if failing else "ok",
        "checks": {name: ("ok" if error is None else f"fail: {error}") for name, error in checks.items()},
    }
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)
