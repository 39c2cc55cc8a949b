"""Settings come from the environment; production-like values pass Django's deployment checks."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "x7#Qm2!vL9@pR4$wZ8^tK1&nB6*cY3(dF5)gH0-jS2+eU7=aW9"


def _run(args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**base, **env},
    )


def test_the_development_secret_key_is_refused_when_debug_is_off():
    result = _run(["check"], DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_accepts_the_development_key():
    assert _run(["check"], DEBUG="true").returncode == 0


def test_a_malformed_boolean_is_a_clear_error():
    result = _run(["check"], DEBUG="maybe")
    assert "DEBUG must be true or false" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="hazlog.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_model_change_lacks_a_migration():
    result = _run(["makemigrations", "--check", "--dry-run"], DEBUG="true")
    assert result.returncode == 0, result.stdout + result.stderr


def _database_options(**env) -> dict:
    result = _run(
        ["shell", "-c", "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"],
        DEBUG="true",
        DATABASE_URL="postgres://hazlog@127.0.0.1:5432/hazlog",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])  # after the shell's own notice


def test_postgresql_prepares_statements_by_default_and_a_pooler_can_turn_it_off():
    assert _database_options(DATABASE_PREPARED_STATEMENTS="") == {"server_side_binding": True, "prepare_threshold": 5}
    assert _database_options(DATABASE_PREPARED_STATEMENTS="false") == {}
