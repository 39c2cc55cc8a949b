"""Export benchmark: each format of the 2,000-scenario assessment in its own process, time and peak memory.

Each format runs in a fresh `python -m bench.exports <format> <assessment id>` process, so its peak
resident memory (ru_maxrss) is its own and not inflated by the previous one; the process reports the
memory it already had after Django started, so the export's own share can be read off. The baseline is a
process that reads the same rows with one raw SQL statement and writes them as JSON.
"""

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FORMATS = ("json", "csv", "xlsx", "pdf")
RAW_SQL = """
    SELECT s.ref, s.title, s.description, s.category, s.causes, s.affected_parties, s.inherent_likelihood,
           s.inherent_severity, s.inherent_level, s.residual_likelihood, s.residual_severity, s.residual_level,
           s.treatment, u.username
    FROM hazards_hazardscenario s LEFT JOIN auth_user u ON u.id = s.owner_id
    WHERE s.assessment_id = %s ORDER BY s.number
"""


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    if fmt == "pdf":
        import weasyprint  # noqa: F401 - loaded before measuring, as in a warm worker

    before = _peak_mb()
    start = time.perf_counter()
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
        job.file.delete(save=False)
        job.delete()
    seconds = time.perf_counter() - start
    return {
        "format": fmt,
        "seconds": round(seconds, 2),
        "queries": queries,
        "bytes": size,
        "peak_rss_mb": round(_peak_mb(), 1),
        "rss_before_mb": round(before, 1),
    }


def _spawn(fmt: str, assessment_id: int) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "bench.exports", fmt, str(assessment_id)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run(assessment, formats=FORMATS) -> dict:
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
        "raw_sql_baseline": raw,
        "formats": results,
    }


if __name__ == "__main__":
    print(json.dumps(_one(sys.argv[1], int(sys.argv[2]))))
