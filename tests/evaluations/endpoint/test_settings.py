"""The endpoint client's settings come from EVAL_ENDPOINT_* and refuse values that cannot work, by name."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from evaluations.endpoint.client import ClientSettings

ROOT = Path(__file__).resolve().parents[3]


def test_the_client_reads_its_settings(settings):
    settings.HAZLOG_EVAL_ENDPOINT_CONNECT_TIMEOUT_SECONDS = 2.5
    settings.HAZLOG_EVAL_ENDPOINT_READ_TIMEOUT_SECONDS = 30.0
    settings.HAZLOG_EVAL_ENDPOINT_RETRIES = 2
    settings.HAZLOG_EVAL_ENDPOINT_BACKOFF_BASE_SECONDS = 0.5
    settings.HAZLOG_EVAL_ENDPOINT_BACKOFF_MAX_SECONDS = 8.0
    settings.HAZLOG_EVAL_ENDPOINT_CONCURRENCY = 6
    assert ClientSettings.from_django() == ClientSettings(
        connect_timeout=2.5, read_timeout=30.0, retries=2, backoff_base=0.5, backoff_max=8.0, concurrency=6
    )


def test_values_that_cannot_work_are_refused_naming_each_variable(settings):
    settings.HAZLOG_EVAL_ENDPOINT_READ_TIMEOUT_SECONDS = 0
    settings.HAZLOG_EVAL_ENDPOINT_CONCURRENCY = 0
    settings.HAZLOG_EVAL_ENDPOINT_RETRIES = -1
    with pytest.raises(ImproperlyConfigured) as caught:
        ClientSettings.from_django()
    for name in ("EVAL_ENDPOINT_READ_TIMEOUT_SECONDS", "EVAL_ENDPOINT_CONCURRENCY", "EVAL_ENDPOINT_RETRIES"):
        assert name in str(caught.value)


def test_a_timeout_that_is_not_a_number_stops_the_app_with_a_clear_error():
    env = {**os.environ, "DEBUG": "true", "EVAL_ENDPOINT_READ_TIMEOUT_SECONDS": "two minutes"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode != 0
    assert "EVAL_ENDPOINT_READ_TIMEOUT_SECONDS must be a number, not 'two minutes'" in result.stderr
