"""Speed benchmark (issue 10): every row of the issue's table against a bare-Django floor, in one interleaved run.

Two gunicorn servers are started the same way (2 sync workers, `-b 127.0.0.1:<port>`, access log off): the
bare-Django floor (`bench/floor/`, a fresh `startproject` whose one view returns a JsonResponse) and Hazlog
with production settings (DEBUG off, persistent connections, the Redis cache) on the PostgreSQL benchmark
database. `wrk -t1 -c2` (two keep-alive connections, closed loop) drives each row for a few seconds; rows
are interleaved round by round so that a busy moment on the shared machine hits all of them alike.

Per row: CPU ms per request summed over the gunicorn workers AND the PostgreSQL backends serving the
benchmark database (utime + stime from /proc before and after), p50 latency, requests/s, and the queries one
request makes (counted in-process through Django's test client). Ratios are against the bare floor measured
in the same round; Hazlog's own floors (`/bench/floor/`, `/bench/api-floor/`) are reference rows.
"""

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from assessments.models import Membership, Project, Role
from assessments.services import tokens
from bench import data
from bench.web import session_for
from hazards.models import HazardScenario

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
WORKERS = 2
CONNECTIONS = 2
HTMX = {"HX-Request": "true"}
# Hazards each PATCH run edits in turn; two in flight at most, so none is edited twice at once.
PATCH_POOL = 200

# wrk prints one JSON line when a run ends; errors are refused connections, timeouts and statuses >= 400.
_DONE_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p95_us": %d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""

# PATCH with If-Match: each answer's ETag is the precondition of the next edit of that hazard.
_PATCH_LUA = (
    """
local queue = {}
local n = 0
init = function(args)
  -- wrk numbers its script arguments from 0 in some versions and from 1 in others: take the file by its suffix.
  local file
  for _, arg in pairs(args) do
    if arg:match("%.versions$") then file = arg end
  end
  for line in io.lines(file) do
    local id, version = line:match("(%d+) (%d+)")
    table.insert(queue, {id, version})
  end
end
request = function()
  local item = table.remove(queue, 1)
  n = n + 1
  -- wrk.format takes these instead of the -H headers (the token), so copy them in.
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["If-Match"] = '"' .. item[1] .. '-' .. item[2] .. '"'
  headers["Content-Type"] = "application/json"
  local body = '{"title": "Scenario edited by the speed benchmark ' .. n .. '"}'
  return wrk.format("PATCH", "/api/v1/hazards/" .. item[1] .. "/", headers, body)
end
response = function(status, headers, body)
  local etag = headers["ETag"] or headers["etag"]
  if etag then
    local id, version = etag:match('"(%d+)%-(%d+)"')
    table.insert(queue, {id, version})
  else
    io.stderr:write("PATCH answered " .. status .. " without an ETag: " .. body:sub(1, 300) .. "\\n")
  end
end
"""
    + _DONE_LUA
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """One gunicorn server, started exactly the same way for the floor and for Hazlog."""

    def __init__(self, app: str, env: dict, ready_path: str):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "-w",
                str(WORKERS),
                "-b",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
        )
        # Ready when both workers have loaded the application and answer (the master accepts sooner).
        deadline = time.monotonic() + 60
        answered = 0
        while answered < 2 * WORKERS:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                conn.request("GET", ready_path)
                if conn.getresponse().status == 200:
                    answered += 1
                conn.close()
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"gunicorn {app} did not start") from None
                time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        master = self.process.pid
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


def _backend_pids(database: str, exclude: int) -> list[int]:
    """PostgreSQL backends connected to the benchmark database (their process title names it)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == exclude:
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
        except OSError:
            continue
        # "postgres: 15/main: <user> <database> <client> <state>"
        if len(title) >= 4 and title[0] == "postgres:" and title[3] == database:
            pids.append(int(entry.name))
    return pids


def _cpu_ticks(pids: list[int]) -> dict[int, int]:
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone: a connection that closed during the run
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime + stime
    return ticks


def _wrk(port: int, path: str, headers: dict, seconds: float, script: str, args: list[str] = ()) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", f.name]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        command.append(f"http://127.0.0.1:{port}{path}")
        if args:
            command += ["--", *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"wrk failed on {path}: {done.stderr or done.stdout}")
        out = done.stdout
    finally:
        os.unlink(f.name)
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"wrk gave no result on {path}: {out} {done.stderr}") from None
    if result["errors"]:
        raise RuntimeError(f"{result['errors']} failed requests on {path}")
    return result


class Row:
    def __init__(
        self, name, path, *, server="hazlog", headers=None, target=None, reference=False, patch=False, user=None
    ):
        self.name, self.path, self.server, self.headers = name, path, server, headers or {}
        self.target, self.reference, self.patch = target, reference, patch
        self.user = user  # who the request is made as, when not the benchmark's contributor
        self.queries = None
        self.samples: list[dict] = []


def _rows(sets: dict, token: str, cookie: str, manager=None) -> list[Row]:
    api = {"Authorization": f"Bearer {token}"}
    web = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    a = sets[2000].pk
    hazard = HazardScenario.objects.filter(assessment_id=a).order_by("-id").values_list("id", flat=True).first()
    rows = [
        Row("floor: bare Django, JsonResponse", "/", server="floor", target=1),
        Row("Hazlog's middleware floor (/bench/floor/)", "/bench/floor/", headers=web, reference=True),
        Row(
            "Hazlog's middleware floor, DRF + token (/bench/api-floor/)",
            "/bench/api-floor/",
            headers=api,
            reference=True,
        ),
    ]
    for n in (200, 2000, 20000):
        rows.append(
            Row(
                f"GET /api/v1/hazards/?page_size=50 at {n:,} scenarios",
                f"/api/v1/hazards/?assessment={sets[n].pk}&page_size=50",
                headers=api,
                target=8,
            )
        )
    rows += [
        Row(
            "GET /api/v1/hazards/?page_size=500",
            f"/api/v1/hazards/?assessment={a}&page_size=500",
            headers=api,
            target=40,
        ),
        Row("GET /api/v1/hazards/{id}/", f"/api/v1/hazards/{hazard}/", headers=api, target=6),
        Row(
            "GET /api/v1/mitigations/?page_size=50",
            f"/api/v1/mitigations/?assessment={a}&page_size=50",
            headers=api,
            target=8,
        ),
        Row("PATCH /api/v1/hazards/{id}/ with If-Match", "/api/v1/hazards/", headers=api, target=10, patch=True),
        Row("assessment page", f"/assessments/{a}/", headers=web, target=15),
        Row("register fragment (HX-Request)", f"/assessments/{a}/register/", headers={**web, **HTMX}, target=10),
        Row("heat map (HX-Request)", f"/assessments/{a}/heatmap/", headers={**web, **HTMX}, target=5),
    ]
    if manager is not None:
        # Issue 12: the portfolio across 100 projects × 2,000 scenarios, as their owner reads it.
        scale = f"{Project.objects.filter(memberships__user=manager).count()} projects"
        manager_web = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_for(manager)}"}
        _, manager_token = tokens.token_create(user=manager, name="speed benchmark")
        rows += [
            Row(f"portfolio page, {scale}", "/portfolio/", headers=manager_web, target=15, user=manager),
            Row(
                f"GET /api/v1/portfolio/, {scale}",
                "/api/v1/portfolio/",
                headers={"Authorization": f"Bearer {manager_token}"},
                target=15,
                user=manager,
            ),
        ]
    return rows


def _patch_pool(assessment_id: int) -> list[int]:
    # The newest scenarios, away from the one the detail row reads and the one the query count edits.
    ids = HazardScenario.objects.filter(assessment_id=assessment_id).order_by("-id").values_list("id", flat=True)
    return list(ids[2 : 2 + PATCH_POOL])


def _write_versions(ids: list[int], path: str) -> None:
    versions = HazardScenario.objects.filter(pk__in=ids).values_list("id", "version")
    Path(path).write_text("".join(f"{pk} {version}\n" for pk, version in versions))


@override_settings(ROOT_URLCONF="bench.urls")
def _count_queries(rows: list[Row], token: str, user, patch_hazard: int) -> None:
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    api.get("/bench/api-floor/")  # the token's last use is written once a minute: keep it out of the counts
    web = Client()
    web.force_login(user)
    for row in rows:
        if row.server == "floor":
            row.queries = 0
            continue
        if row.patch:
            version = HazardScenario.objects.values_list("version", flat=True).get(pk=patch_hazard)
            with CaptureQueriesContext(connection) as ctx:
                response = api.patch(
                    f"/api/v1/hazards/{patch_hazard}/",
                    {"title": "Scenario edited by the query count"},
                    content_type="application/json",
                    HTTP_IF_MATCH=f'"{patch_hazard}-{version}"',
                )
        else:
            client = web if "Cookie" in row.headers else api
            if row.user is not None:
                client = Client()
                client.force_login(row.user)
            headers = {k: v for k, v in row.headers.items() if k not in ("Cookie", "Authorization")}
            client.get(row.path, headers=headers)  # warm per-process caches, as a running server has them
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(row.path, headers=headers)
        assert response.status_code == 200, (row.name, response.status_code, response.content[:300])
        row.queries = len(ctx.captured_queries)


def run(*, database_url: str, seconds: int = 3, rounds: int = 3, portfolio: bool = False, only: list[str] = ()) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("bench speed needs wrk: apt-get install -y wrk")
    sets = {
        2000: data.generate(data.Spec()),
        200: data.generate(data.Spec(scenarios=200, mitigations=400)),
        20000: data.generate(data.Spec(scenarios=20000, mitigations=4000)),
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after bulk inserts, as after any data load
        cursor.execute("SELECT pg_backend_pid(), current_database()")
        own_backend, database = cursor.fetchone()
    # As in production: hashed, compressed static files, so templates resolve them through the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    assessment = sets[2000]
    user = (
        Membership.objects.filter(project=assessment.project, role=Role.CONTRIBUTOR).select_related("user").first().user
    )
    _, token = tokens.token_create(user=user, name="speed benchmark")
    cookie = session_for(user)
    manager = data.portfolio() if portfolio else None
    rows = _rows(sets, token, cookie, manager)
    if only:
        # The bare floor always runs: every ratio is to it, in the same round.
        rows = [r for r in rows if r.server == "floor" or any(o.lower() in r.name.lower() for o in only)]
    pool = _patch_pool(assessment.pk)
    patch_hazard = HazardScenario.objects.filter(assessment=assessment).order_by("-id").values_list("id", flat=True)[1]
    _count_queries(rows, token, user, patch_hazard)
    connection.close()  # the load must not wait on a transaction of ours; its backend is excluded anyway

    floor = Gunicorn("bench.floor.wsgi:application", {"DJANGO_SETTINGS_MODULE": "bench.floor.settings"}, "/")
    hazlog = Gunicorn(
        "config.wsgi:application",
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "CONN_MAX_AGE": "600",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
            # The benchmark measures work, not the rate limiter's refusals (the limiter itself still runs).
            "API_THROTTLE_USER": "100000000/min",
        },
        "/healthz",
    )
    servers = {"floor": floor, "hazlog": hazlog}
    versions = str(Path(tempfile.mkdtemp(prefix="bench-speed-")) / "hazards.versions")
    try:

        def measure(row: Row, duration: int, warm_up: bool = False) -> dict | None:
            server = servers[row.server]
            if row.patch:
                _write_versions(pool, versions)
                connection.close()
            workers = server.worker_pids()
            backends = _backend_pids(database, own_backend) if row.server == "hazlog" else []
            before = _cpu_ticks(workers + backends)
            script, args = (_PATCH_LUA, [versions]) if row.patch else (_DONE_LUA, [])
            result = _wrk(server.port, row.path, row.headers, duration, script, args)
            if warm_up:
                return None
            if not result["requests"]:
                raise RuntimeError(f"no request completed on {row.name}: {result}")
            after = _cpu_ticks(workers + backends)

            def ms(pids):
                ticks = sum(after[pid] - before[pid] for pid in pids if pid in after and pid in before)
                return 1000 * ticks / CLOCK_TICKS / result["requests"]

            return {
                "cpu_ms": ms(workers + backends),
                "app_cpu_ms": ms(workers),
                "db_cpu_ms": ms(backends),
                "p50_ms": result["p50_us"] / 1000,
                "rps": result["requests"] / (result["duration_us"] / 1e6),
                "requests": result["requests"],
            }

        for row in rows:  # warm-up: connections, template and URL caches, the backends' catalogues
            measure(row, 2, warm_up=True)
        for _ in range(rounds):
            for row in rows:
                row.samples.append(measure(row, seconds))
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(Path(versions).parent)

    floor_row = rows[0]
    results = []
    for row in rows:
        ratios = [s["cpu_ms"] / f["cpu_ms"] for s, f in zip(row.samples, floor_row.samples, strict=True)]
        results.append(
            {
                "row": row.name,
                "path": row.path,
                "cpu_ms_per_request": round(statistics.median(s["cpu_ms"] for s in row.samples), 2),
                "gunicorn_cpu_ms": round(statistics.median(s["app_cpu_ms"] for s in row.samples), 2),
                "postgres_cpu_ms": round(statistics.median(s["db_cpu_ms"] for s in row.samples), 2),
                "x_floor": round(statistics.median(ratios), 1),
                "target_x_floor": row.target,
                "reference": row.reference,
                "p50_ms": round(statistics.median(s["p50_ms"] for s in row.samples), 2),
                "rps": round(statistics.median(s["rps"] for s in row.samples), 1),
                "queries": row.queries,
                "rounds": [{k: round(v, 3) for k, v in s.items()} for s in row.samples],
            }
        )
    _print_table(results)
    return {
        "benchmark": "speed",
        "scenarios": {str(n): a.pk for n, a in sets.items()},
        "gunicorn_workers": WORKERS,
        "client": f"wrk -t1 -c{CONNECTIONS}",
        "seconds_per_run": seconds,
        "rounds": rounds,
        "cpu": "utime+stime of the gunicorn workers and of the PostgreSQL backends of the benchmark database",
        "rows": results,
    }


def _print_table(results: list[dict]) -> None:
    print(
        "| Request | CPU ms/req | of which PostgreSQL | × floor | Target × floor | p50 ms | req/s | queries |",
        file=sys.stderr,
    )
    print("|---|---|---|---|---|---|---|---|", file=sys.stderr)
    for r in results:
        target = f"≤ {r['target_x_floor']}" if r["target_x_floor"] and r["target_x_floor"] > 1 else "—"
        if r["target_x_floor"] == 1:
            target = "1"
        print(
            f"| {r['row']} | {r['cpu_ms_per_request']:.2f} | {r['postgres_cpu_ms']:.2f} | {r['x_floor']:.1f} "
            f"| {target} | {r['p50_ms']:.1f} "
            f"| {r['rps']:,.0f} | {r['queries']} |",
            file=sys.stderr,
        )
