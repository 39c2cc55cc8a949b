"""/healthz: 200 when the database (and Redis, if configured) answer; 503 naming the failing part."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_is_ok_when_everything_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def _healthz_in_a_fresh_process(**env) -> tuple[int, dict, str]:
    """Ask /healthz from a separate process whose settings point at a dead service; also returns its log."""
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, r.json()]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "ALLOWED_HOSTS": "testserver", **env},
        check=True,
    )
    status, body = json.loads(result.stdout.strip().splitlines()[-1])
    return status, body, result.stderr


def test_healthz_names_redis_when_it_is_down():
    status, body, log = _healthz_in_a_fresh_process(
        REDIS_URL="redis://127.0.0.1:1/0", DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
    )
    assert status == 503
    assert body == {"status": "fail", "checks": {"database": "ok", "redis": "fail"}, "failing": ["redis"]}
    assert "Health check redis failed" in log and "ConnectionError" in log


def test_healthz_names_the_database_when_it_is_down_and_keeps_the_reason_in_the_log():
    status, body, log = _healthz_in_a_fresh_process(DATABASE_URL="postgres://healthprobe@127.0.0.1:1/hazlog")
    assert status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "fail"
    # The public answer carries no exception text (host, port, user); the log has all of it.
    answer = json.dumps(body)
    for secret in ("healthprobe", "127.0.0.1", "OperationalError", "connection"):
        assert secret not in answer
    assert "Health check database failed" in log
    assert "OperationalError" in log and '"127.0.0.1", port 1' in log
