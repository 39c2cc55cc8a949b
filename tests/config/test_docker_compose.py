"""docker-compose.yml stays valid for Debian's docker-compose 1.29 (installed by .ci/run)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_file_is_valid():
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: apt-get install docker-compose (.ci/run does this)")
    result = subprocess.run(
        [binary, "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "SECRET_KEY": "compose-check"},
    )
    assert result.returncode == 0, result.stderr
