"""Sandbox benchmark: 2,600 samples (13 levels × 20 tasks × 10 samples of the chained suite) run in
bubblewrap, against the same programs in a plain subprocess with the same pool; then the same samples as a
whole run through the worker's code (execution.run_execute), with its queries per batch of results.

Reported: samples per second, the per-sample overhead of the sandbox over a plain subprocess (wall time of
the pool divided by the samples, times the pool size), and queries per batch written.
"""

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

SUITE, VERSION, SEED, PER_LEVEL, SAMPLES = "chained", "1", 2022, 20, 10


def _plain(program: str) -> int:
    return subprocess.run(
        [sys.executable, "-I", "-c", program], capture_output=True, timeout=30, check=False
    ).returncode


def run(assessment) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Membership
    from evaluations import sandbox, tasksets
    from evaluations.services import execution
    from evaluations.services import runs as run_services

    tasks = tasksets.builtin_tasks(SUITE, version=VERSION, seed=SEED, tasks_per_level=PER_LEVEL)
    items = [(task, task.reference) for task in tasks for _ in range(SAMPLES)]
    workers = min(os.cpu_count() or 2, len(items))

    start = time.perf_counter()
    results = sandbox.run_samples(items)
    sandboxed = time.perf_counter() - start
    passed = sum(result.outcome == "passed" for result in results)

    programs = [sandbox.program_for(task, completion) for task, completion in items]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        plain_failures = sum(code != 0 for code in pool.map(_plain, programs))
    plain = time.perf_counter() - start

    member = Membership.objects.filter(project=assessment.project, role__in=["contributor", "owner"]).first().user
    lines = "\n".join(
        json.dumps({"task_id": task.task_id, "completion": task.reference, "sample_index": index})
        for task in tasks
        for index in range(SAMPLES)
    ).encode()
    original_queue = run_services.run_queue
    run_services.run_queue = lambda run: None  # executed below, in this process, to count its queries
    try:
        run = run_services.run_create_from_upload(
            project_id=assessment.project_id,
            by=member,
            model_name="bench",
            suite_key=SUITE,
            seed=SEED,
            tasks_per_level=PER_LEVEL,
            completions=lines,
        )
    finally:
        run_services.run_queue = original_queue
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        status = execution.run_execute(run_id=run.pk)
    whole = time.perf_counter() - start
    batches = -(-len(items) // execution.EXECUTE_BATCH)
    run.delete()
    return {
        "samples": len(items),
        "pool": workers,
        "sandboxed_seconds": round(sandboxed, 2),
        "sandboxed_samples_per_second": round(len(items) / sandboxed, 1),
        "sandboxed_passed": passed,
        "plain_subprocess_seconds": round(plain, 2),
        "plain_failures": plain_failures,
        "sandbox_overhead_ms_per_sample": round((sandboxed - plain) / len(items) * workers * 1000, 1),
        "ratio_sandbox_to_plain": round(sandboxed / plain, 2),
        "whole_run_seconds": round(whole, 2),
        "whole_run_status": status,
        "whole_run_queries": len(queries),
        "batches": batches,
        "queries_per_batch": round(len(queries) / batches, 1),
    }
