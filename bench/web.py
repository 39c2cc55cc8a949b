"""Web benchmark: the assessment page, the register fragment and the heat map at 2,000 scenarios, served by
gunicorn with PostgreSQL, against a view that does nothing in the same server.

A closed-loop load generator (one keep-alive connection per client thread, as many clients as gunicorn
workers) sends a fixed number of requests per endpoint; endpoints are interleaved round by round so that a
busy moment on the shared machine hits all of them alike. Reported per endpoint: p50/p95 latency and
requests per second (medians over the rounds), their ratio to the floor, the gunicorn workers' CPU time per
request (from /proc), and the queries one request makes (counted in-process).
"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assessments import selectors
from assessments.models import Membership, Role

ROOT = Path(__file__).resolve().parent.parent
HTMX = {"HX-Request": "true"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def endpoints(assessment) -> list[tuple[str, str, dict]]:
    a = assessment.pk
    return [
        ("floor", "/bench/floor/", {}),
        ("assessment page", f"/assessments/{a}/", {}),
        ("register fragment", f"/assessments/{a}/register/", HTMX),
        ("register fragment, sorted, page 30", f"/assessments/{a}/register/?sort=residual&dir=desc&page=30", HTMX),
        ("register fragment, filtered", f"/assessments/{a}/register/?category=security&level=high", HTMX),
        ("heat map", f"/assessments/{a}/heatmap/", HTMX),
        ("changes poll (nothing new)", None, HTMX),  # URL filled in once the latest event is known
    ]


def _member(assessment):
    """A contributor: the pages show their edit controls, the heaviest variant."""
    return (
        Membership.objects.filter(project=assessment.project, role=Role.CONTRIBUTOR).select_related("user").first().user
    )


def session_for(user) -> str:
    """A signed-in session of `user` (its key, for the cookie), as a sign-in would leave it."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def count_queries(user, targets) -> dict[str, int]:
    client = Client()
    client.force_login(user)
    counts = {}
    for name, url, headers in targets:
        client.get(url, headers=headers)  # warm per-process caches, as a running server has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, headers=headers)
        assert response.status_code in (200, 204), (name, response.status_code)
        counts[name] = len(ctx.captured_queries)
    return counts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / CLOCK_TICKS


def _load(port: int, path: str, headers: dict, cookie: str, total: int, clients: int) -> tuple[list[float], float]:
    """Send `total` GETs from `clients` closed-loop clients; returns (latencies in seconds, wall seconds)."""
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [total]
    errors: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        request_headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}", **headers}
        while True:
            with lock:
                if remaining[0] == 0:
                    break
                remaining[0] -= 1
            start = time.perf_counter()
            conn.request("GET", path, headers=request_headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if response.status not in (200, 204):
                errors.append(f"{path}: {response.status}")
            with lock:
                latencies.append(elapsed)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    if errors:
        raise RuntimeError(f"{len(errors)} failed requests, e.g. {errors[0]}")
    return latencies, wall


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(assessment, *, requests: int = 60, rounds: int = 3, workers: int = 2) -> dict:
    # As in production: hashed, compressed static files, so templates resolve them through the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    user = _member(assessment)
    targets = endpoints(assessment)
    latest = selectors.latest_event_id(assessment=assessment)
    targets[-1] = (targets[-1][0], f"/assessments/{assessment.pk}/changes/?since={latest}", targets[-1][2])
    queries = count_queries(user, [t for t in targets if t[0] != "floor"])
    queries["floor"] = 0
    cookie = session_for(user)
    port = _free_port()
    server = _start_gunicorn(port, workers)
    try:
        workers_pids = _worker_pids(server.pid)
        for _, path, headers in targets:  # warm-up: connections, template caches
            _load(port, path, headers, cookie, 10, workers)
        samples: dict[str, list[dict]] = {name: [] for name, _, _ in targets}
        for _ in range(rounds):
            for name, path, headers in targets:
                cpu_before = _cpu_seconds(workers_pids)
                latencies, wall = _load(port, path, headers, cookie, requests, workers)
                cpu = _cpu_seconds(workers_pids) - cpu_before
                samples[name].append(
                    {
                        "p50": _percentile(latencies, 0.50),
                        "p95": _percentile(latencies, 0.95),
                        "rps": requests / wall,
                        "cpu_ms": 1000 * cpu / requests,
                    }
                )
    finally:
        server.terminate()
        server.wait(timeout=30)

    def median(name: str, key: str) -> float:
        return statistics.median(sample[key] for sample in samples[name])

    floor = {key: median("floor", key) for key in ("p50", "p95", "rps", "cpu_ms")}
    results = []
    for name, path, _ in targets:
        p50, p95, rps, cpu_ms = (median(name, key) for key in ("p50", "p95", "rps", "cpu_ms"))
        results.append(
            {
                "endpoint": name,
                "path": path,
                "p50_ms": round(p50 * 1000, 1),
                "p95_ms": round(p95 * 1000, 1),
                "rps": round(rps, 1),
                "worker_cpu_ms_per_request": round(cpu_ms, 2),
                "p50_vs_floor": round(p50 / floor["p50"], 1),
                "rps_vs_floor": round(rps / floor["rps"], 3),
                "queries": queries[name],
            }
        )
    return {
        "benchmark": "web",
        "scenarios": assessment.scenarios.count(),
        "mitigations": assessment.mitigations.count(),
        "gunicorn_workers": workers,
        "clients": workers,
        "requests_per_endpoint_per_round": requests,
        "rounds": rounds,
        "endpoints": results,
    }
