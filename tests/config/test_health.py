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


def _healthz_in_a_fresh_process(**env) -> tuple[int, dict]:
    """Ask /healthz from a separate process whose settings point at a dead service."""
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
    return status, body


def test_healthz_names_redis_when_it_is_down():
    status, body = _healthz_in_a_fresh_process(
        REDIS_URL="redis://127.0.0.1:1/0", DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
    )
    assert status == 503
    assert body["failing"] == ["redis"]
    assert body["checks"]["database"] == "ok"


def test_healthz_names_the_database_when_it_is_down():
    status, body = _healthz_in_a_fresh_process(DATABASE_URL="postgres://postgres@127.0.0.1:1/hazlog")
    assert status == 503
    assert body["failing"] == ["database"]
    assert body["checks"]["database"].startswith("fail: OperationalError")
