"""Smoke check of the README's `make run` path on one Python (run with that Python's venv, from the repo).

With the embedded default (SQLite, in-process tasks, DEBUG on): migrate, load the catalogue and the demo
data, serve, then /healthz answers 200, a demo user signs in, and one API call with a token answers 200.
Exits non-zero, saying which step failed.
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    data = Path(tempfile.mkdtemp(prefix="hazlog-smoke-"))
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{data / 'db.sqlite3'}",
        "MEDIA_ROOT": str(data / "media"),
    }
    env.pop("REDIS_URL", None)

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    for step in (("migrate", "--noinput"), ("load_catalogue",), ("seed_demo",)):
        manage(*step)
    token = (
        manage(
            "shell",
            "-c",
            (
                "from django.contrib.auth.models import User; from assessments.services import tokens; "
                "print(tokens.token_create(user=User.objects.get(username='olivia'), name='smoke')[1])"
            ),
        )
        .strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("/healthz did not answer 200")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(f"{base}/accounts/login/", timeout=10).read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode({"username": "olivia", "password": "hazlog-demo", "csrfmiddlewaretoken": csrf})
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=body.encode(), headers={"Referer": f"{base}/accounts/login/"}
        )
        landed = opener.open(request, timeout=10)
        # olivia owns the demo project, so she lands on the portfolio (managers' first page).
        if landed.geturl() != f"{base}/portfolio/" or "Sign out" not in landed.read().decode():
            raise SystemExit(f"signing in as olivia did not reach the portfolio ({landed.geturl()})")
        api = urllib.request.Request(f"{base}/api/v1/projects/", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(api, timeout=10) as answer:
            projects = json.load(answer)["results"]
        if not projects:
            raise SystemExit("the API listed no project for olivia")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"make run works on Python {sys.version.split()[0]}: healthz, sign-in and the API answered.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
