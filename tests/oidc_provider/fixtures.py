"""pytest fixtures that run the test OpenID provider in its own process and point Hazlog at it."""

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.oidc_provider.serve import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "hazlog-test-client"
GROUP_ROLE_MAP = "hazlog-acme-owners=acme-rollout:owner,hazlog-beta-viewers=beta:viewer"
STARTUP_SECONDS = 60  # migrating and generating a key on a busy 2-core machine; not a test assertion


@dataclass
class Provider:
    url: str
    discovery_url: str
    client_id: str
    client_secret: str
    password: str = PASSWORD


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(tmp_dir: Path, redirect_uri: str):
    port = _free_port()
    secret = secrets.token_urlsafe(24)
    env = {
        **os.environ,
        "PROVIDER_SECRET_KEY": secrets.token_urlsafe(32),
        "PROVIDER_DATABASE": str(tmp_dir / "provider.sqlite3"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = open(tmp_dir / "provider.log", "w")  # noqa: SIM115 - closed when the process is stopped
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(port), redirect_uri, CLIENT_ID, secret],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    provider = Provider(
        url=f"http://127.0.0.1:{port}",
        discovery_url=f"http://127.0.0.1:{port}/o/.well-known/openid-configuration",
        client_id=CLIENT_ID,
        client_secret=secret,
    )
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            log.close()
            raise RuntimeError(f"the test provider exited: {(tmp_dir / 'provider.log').read_text()[-3000:]}")
        try:
            if requests.get(provider.discovery_url, timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("the test provider did not start")
        time.sleep(0.2)
    return process, log, provider


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """A running provider whose client redirects to this session's live server."""
    process, log, provider = start(tmp_path_factory.mktemp("oidc"), f"{live_server.url}/oidc/callback/")
    yield provider
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture
def sso_settings(settings, oidc_provider):
    """Hazlog configured for the provider as an operator would, through the settings the environment sets."""
    settings.OIDC_RP_CLIENT_ID = oidc_provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_provider.client_secret
    settings.OIDC_OP_DISCOVERY_URL = oidc_provider.discovery_url
    settings.OIDC_PROVIDER_NAME = "Test IdP"
    settings.OIDC_GROUP_ROLE_MAP = GROUP_ROLE_MAP
    return settings
