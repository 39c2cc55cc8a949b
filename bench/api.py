"""API benchmark: list mitigations (a page of 100 with updated_since) and PATCH with If-Match at 5,000
mitigations, served by gunicorn, against a trivial DRF view in the same server; queries per call.

The server runs production settings (DEBUG off, persistent connections) with 2 sync workers; a closed-loop
client with 2 keep-alive connections (one per worker) measures requests/s, p50/p95 latency and the app's
CPU time per request (from /proc of the workers). Workloads are interleaved (floor, list, ..., floor, list,
...) and repeated; medians are reported, and each is divided by the floor measured in the same round.
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from assessments.models import Role
from assessments.services import tokens
from bench import data
from hazards.models import Mitigation

MITIGATIONS = 5000
PAGE = 100
SINCE = "2000-01-01T00:00:00Z"
ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, workers: int = 2):
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "600",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            # The benchmark measures work, not the rate limiter's refusals.
            "API_THROTTLE_USER": "100000000/min",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                http.client.HTTPConnection("127.0.0.1", self.port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)

    def worker_cpu_seconds(self) -> float:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        total = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        return total / TICKS

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _drive(port: int, make_request, seconds: float, concurrency: int) -> dict:
    """Closed loop: each thread sends its next request when the previous answer is in."""
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency
    stop_at = time.monotonic() + seconds

    def loop(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        state: dict = {}
        while time.monotonic() < stop_at:
            method, path, body, headers, on_response = make_request(i, state)
            start = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            latencies[i].append(time.perf_counter() - start)
            if response.status >= 300:
                errors[i] += 1
            if on_response:
                on_response(response, payload)
        conn.close()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    samples = sorted(x for per_thread in latencies for x in per_thread)
    return {
        "requests": len(samples),
        "errors": sum(errors),
        "rps": len(samples) / elapsed,
        "p50_ms": samples[len(samples) // 2] * 1000,
        "p95_ms": samples[int(len(samples) * 0.95)] * 1000,
    }


def _list_path(assessment_id: int) -> str:
    query = urllib.parse.urlencode({"assessment": assessment_id, "updated_since": SINCE, "page_size": PAGE})
    return f"/api/v1/mitigations/?{query}"


def _workloads(token: str, assessment_id: int, mitigation_ids: list[int], etags: dict, concurrency: int, cursor: str):
    auth = {"Authorization": f"Bearer {token}"}
    list_path = _list_path(assessment_id)
    share = [mitigation_ids[i::concurrency] for i in range(concurrency)]
    statuses = ["planned", "in_progress"]

    def get(path):
        return lambda i, state: ("GET", path, None, auth, None)

    def patch(i, state):
        n = state.get("n", 0)
        state["n"] = n + 1
        pk = share[i][n % len(share[i])]

        def remember(response, payload):
            if response.status == 200:
                etags[pk] = response.getheader("ETag")

        body = json.dumps({"status": statuses[(n // len(share[i])) % 2]})
        headers = {**auth, "Content-Type": "application/json", "If-Match": etags[pk]}
        return "PATCH", f"/api/v1/mitigations/{pk}/", body, headers, remember

    return {
        "floor": get("/bench/api-floor/"),
        "list_updated_since": get(list_path),
        "list_next_page": get(cursor),
        "patch_if_match": patch,
    }


@override_settings(ROOT_URLCONF="bench.urls")
def _queries(token: str, paths: dict, patch_path: str, etag: str) -> dict:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.get("/bench/api-floor/")  # the token's last use is recorded once a minute: keep it out of the counts
    counts = {}
    for name, path in paths.items():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        counts[name] = len(ctx.captured_queries)
    with CaptureQueriesContext(connection) as ctx:
        response = client.patch(
            patch_path, {"status": "implemented"}, content_type="application/json", HTTP_IF_MATCH=etag
        )
        assert response.status_code == 200, response.content
    counts["patch_if_match"] = len(ctx.captured_queries)
    return counts


def run(*, database_url: str, seconds: float = 4.0, rounds: int = 3, concurrency: int = 2) -> dict:
    assessment = data.generate(data.Spec(mitigations=MITIGATIONS))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after the bulk insert, as after any data load
    user = assessment.project.memberships.filter(role=Role.CONTRIBUTOR).select_related("user").first().user
    _, token = tokens.token_create(user=user, name="api benchmark")
    ids = list(Mitigation.objects.filter(assessment=assessment).order_by("id").values_list("id", flat=True)[:400])
    etags = dict(Mitigation.objects.filter(pk__in=ids).values_list("id", "version"))
    etags = {pk: f'"{pk}-{v}"' for pk, v in etags.items()}

    first = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(_list_path(assessment.pk))
    cursor = urllib.parse.urlsplit(first.json()["next"])
    cursor_path = f"{cursor.path}?{cursor.query}"
    list_path = _list_path(assessment.pk)
    queries = _queries(
        token,
        {"floor": "/bench/api-floor/", "list_updated_since": list_path, "list_next_page": cursor_path},
        f"/api/v1/mitigations/{ids[-1]}/",
        etags.pop(ids[-1]),
    )
    ids = ids[:-1]

    server = Server(database_url)
    try:
        workloads = _workloads(token, assessment.pk, ids, etags, concurrency, cursor_path)
        for make in workloads.values():
            _drive(server.port, make, 1.0, concurrency)  # warm-up
        rounds_out: list[dict] = []
        for _ in range(rounds):
            measured = {}
            for name, make in workloads.items():
                cpu = server.worker_cpu_seconds()
                stats = _drive(server.port, make, seconds, concurrency)
                stats["app_cpu_ms_per_request"] = (server.worker_cpu_seconds() - cpu) * 1000 / stats["requests"]
                measured[name] = stats
            rounds_out.append(measured)
    finally:
        server.stop()

    result = {
        "benchmark": "api",
        "mitigations": MITIGATIONS,
        "page_size": PAGE,
        "workers": 2,
        "concurrency": concurrency,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "queries_per_call": queries,
    }
    for name in workloads:
        runs = [r[name] for r in rounds_out]
        summary = {
            key: round(statistics.median(run[key] for run in runs), 2)
            for key in ("rps", "p50_ms", "p95_ms", "app_cpu_ms_per_request")
        }
        summary["errors"] = sum(run["errors"] for run in runs)
        if name != "floor":
            floors = [r["floor"] for r in rounds_out]
            summary["rps_vs_floor"] = round(
                statistics.median(r[name]["rps"] / f["rps"] for r, f in zip(rounds_out, floors, strict=True)), 3
            )
            summary["p95_vs_floor"] = round(
                statistics.median(r[name]["p95_ms"] / f["p95_ms"] for r, f in zip(rounds_out, floors, strict=True)), 2
            )
            summary["cpu_vs_floor"] = round(
                statistics.median(
                    r[name]["app_cpu_ms_per_request"] / f["app_cpu_ms_per_request"]
                    for r, f in zip(rounds_out, floors, strict=True)
                ),
                2,
            )
        result[name] = summary
    return result
