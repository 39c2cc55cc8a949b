"""Export benchmark: each format of the 2,000-scenario assessment in its own process, time and peak memory.

Each format runs in a fresh `python -m bench.exports <format> <assessment id>` process, so its peak
resident memory (ru_maxrss) is its own and not inflated by the previous one; the process reports the
memory it already had after Django started, so the export's own share can be read off. The PDF is laid
out by forked processes: the run reports the largest of them (ru_maxrss of the children), and this side
samples the whole process tree every 20 ms for the peak of all their resident memory added up (shared
pages counted in each process, so an upper bound). CPU seconds (the process and its children) are
reported beside wall time, because on the shared machine wall time depends on the other jobs. The
baseline is a process that reads the same rows with one raw SQL statement and writes them as JSON.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# "pdf1": the PDF laid out in the export's own process only (PDF_PROCESSES=1), for comparison.
FORMATS = ("json", "csv", "xlsx", "pdf", "pdf1")
RAW_SQL = """
    SELECT s.ref, s.title, s.description, s.category, s.causes, s.affected_parties, s.inherent_likelihood,
           s.inherent_severity, s.inherent_level, s.residual_likelihood, s.residual_severity, s.residual_level,
           s.treatment, u.username
    FROM hazards_hazardscenario s LEFT JOIN auth_user u ON u.id = s.owner_id
    WHERE s.assessment_id = %s ORDER BY s.number
"""


def _peak_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _tree(pid: int) -> list[int]:
    """The process and all its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(child) for child in handle.read().split())
        except OSError:  # ended meanwhile
            continue
    return found


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class _TreeSampler(threading.Thread):
    """Peak of the summed resident memory of a process tree, and the most processes seen at once."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_total_mb, self.most_processes = pid, 0.0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.02):
            pids = _tree(self.pid)
            self.most_processes = max(self.most_processes, len(pids))
            self.peak_total_mb = max(self.peak_total_mb, sum(_rss_mb(pid) for pid in pids))


def _one(fmt: str, assessment_id: int) -> dict:
    """Run inside the child process: one export through the real service, as a worker would."""
    from bench.setup import configure

    configure()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.exports import service
    from assessments.models import Assessment, ExportJob

    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="hazlog-bench-media-"))
    assessment = Assessment.objects.select_related("project").get(pk=assessment_id)
    name = fmt
    if fmt == "pdf1":
        fmt, settings.HAZLOG_PDF_PROCESSES = "pdf", 1
    if fmt == "pdf":
        import weasyprint  # noqa: F401 - loaded before measuring, as in a warm worker

        from assessments.exports import processes

        pdf_processes = settings.HAZLOG_PDF_PROCESSES or processes.default_count()
    before = _peak_mb()
    start = time.perf_counter()
    cpu_start = _cpu_seconds()
    if fmt == "raw":
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [assessment.pk])
            rows = cursor.fetchall()
        (settings.MEDIA_ROOT / "raw.json").write_text(json.dumps(rows))
        queries, size = 1, (settings.MEDIA_ROOT / "raw.json").stat().st_size
    else:
        requester = assessment.project.memberships.select_related("user").first().user
        job = ExportJob.objects.create(assessment=assessment, requested_by=requester, format=fmt)
        with CaptureQueriesContext(connection) as ctx:
            service.export_run(job_id=job.pk)
        job.refresh_from_db()
        if job.status != "done":
            raise SystemExit(f"{fmt} export failed: {job.error}")
        queries, size = len(ctx.captured_queries), job.file.size
    seconds, cpu_seconds = time.perf_counter() - start, _cpu_seconds() - cpu_start
    if fmt != "raw":
        if fmt == "pdf":
            import pypdf

            pages = len(pypdf.PdfReader(job.file.path).pages)
        job.file.delete(save=False)
        job.delete()
    result = {
        "format": name,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "queries": queries,
        "bytes": size,
        "peak_rss_mb": round(_peak_mb(), 1),
        "rss_before_mb": round(before, 1),
    }
    if fmt == "pdf":
        result["pdf_processes"] = pdf_processes
        result["pages"] = pages
        result["largest_child_peak_rss_mb"] = round(_peak_mb(resource.RUSAGE_CHILDREN), 1)
    return result


def _spawn(fmt: str, assessment_id: int) -> dict:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.exports", fmt, str(assessment_id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = _TreeSampler(process.pid)
    sampler.start()
    output, errors = process.communicate()
    sampler.stopped.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"bench.exports {fmt} failed:\n{errors}")
    result = json.loads(output.strip().splitlines()[-1])
    result["peak_rss_all_processes_mb"] = round(sampler.peak_total_mb, 1)
    result["most_processes_at_once"] = sampler.most_processes
    return result


def run(assessment, formats=FORMATS) -> dict:
    load_before = os.getloadavg()
    raw = _spawn("raw", assessment.pk)
    results = {}
    for fmt in formats:
        result = _spawn(fmt, assessment.pk)
        result["ratio_to_raw_sql"] = round(result["seconds"] / max(raw["seconds"], 0.001), 1)
        results[fmt] = result
    return {
        "benchmark": "exports",
        "scenarios": assessment.scenarios.count(),
        "mitigations": assessment.mitigations.count(),
        "cpus": len(os.sched_getaffinity(0)),
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "raw_sql_baseline": raw,
        "formats": results,
    }


if __name__ == "__main__":
    print(json.dumps(_one(sys.argv[1], int(sys.argv[2]))))
