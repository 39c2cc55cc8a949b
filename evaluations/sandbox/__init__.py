"""The isolation layer for model-written code: every sample in its own bubblewrap sandbox.

Public interface: `available()` (can samples run here, and if not, how to enable it), `describe()` (what a
run records about its isolation), `run_samples(items)` (outcomes in order, run in parallel). Nothing else
in Hazlog executes a completion: web and worker processes only ever hand the text to this package.
"""

import concurrent.futures as cf
import functools
import os
import queue
import subprocess

from django.conf import settings

from evaluations.sandbox.runner import (
    Limits,
    SampleResult,
    bwrap_command,
    bwrap_path,
    interpreter,
    plain_command,
    run_one,
)
from evaluations.suites.base import EvalTask

__all__ = ["Limits", "SampleResult", "available", "describe", "limits_from_settings", "program_for", "run_samples"]

HOW_TO_ENABLE = (
    "Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap). In a container it also needs user "
    "namespaces: run it with --security-opt seccomp=unconfined --security-opt apparmor=unconfined (see the "
    "README's Sandbox section). For local development only, EVAL_SANDBOX_ALLOW_UNSAFE=true with DEBUG=true "
    "runs samples without isolation."
)


def limits_from_settings() -> Limits:
    return Limits(
        cpu_seconds=settings.HAZLOG_EVAL_SANDBOX_CPU_SECONDS,
        wall_seconds=settings.HAZLOG_EVAL_SANDBOX_WALL_SECONDS,
        memory_mb=settings.HAZLOG_EVAL_SANDBOX_MEMORY_MB,
        processes=settings.HAZLOG_EVAL_SANDBOX_PROCESSES,
        output_bytes=settings.HAZLOG_EVAL_SANDBOX_OUTPUT_BYTES,
        file_mb=settings.HAZLOG_EVAL_SANDBOX_FILE_MB,
        tmp_mb=settings.HAZLOG_EVAL_SANDBOX_TMP_MB,
    )


def _unsafe() -> bool:
    return bool(settings.DEBUG and settings.HAZLOG_EVAL_SANDBOX_ALLOW_UNSAFE)


@functools.cache
def _probe(bwrap: str | None) -> tuple[bool, str]:
    """Start one trivial sandbox: a binary on the PATH is not enough (a container may refuse namespaces)."""
    if bwrap is None:
        return False, f"bubblewrap was not found. {HOW_TO_ENABLE}"
    limits = Limits(wall_seconds=20)
    result = run_one("pass\n", command=bwrap_command(bwrap, limits), limits=limits)
    if result.outcome != "passed":
        return False, f"bubblewrap could not start a sandbox ({result.detail}). {HOW_TO_ENABLE}"
    version = subprocess.run([bwrap, "--version"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603
    return True, f"Samples run in {version or 'bubblewrap'}."


def _bwrap() -> str | None:
    return bwrap_path(settings.HAZLOG_EVAL_SANDBOX_BWRAP)


def available() -> tuple[bool, str]:
    """(whether samples can run here, a message for the user)."""
    ready, message = _probe(_bwrap())
    if ready:
        return True, message
    if _unsafe():
        return True, "Development only: samples run WITHOUT isolation (EVAL_SANDBOX_ALLOW_UNSAFE)."
    return False, message


def describe() -> dict:
    limits = limits_from_settings()
    ready, message = _probe(_bwrap())
    return {
        "isolation": message.removeprefix("Samples run in ").rstrip(".") if ready else "none (development override)",
        "limits": {
            "cpu_seconds": limits.cpu_seconds,
            "wall_seconds": limits.wall_seconds,
            "memory_mb": limits.memory_mb,
            "processes": limits.processes,
            "output_bytes": limits.output_bytes,
            "file_mb": limits.file_mb,
            "tmp_mb": limits.tmp_mb,
        },
        "python": interpreter(),
    }


def program_for(task: EvalTask, completion: str) -> str:
    """The HumanEval convention: prompt + completion, then the tests, then the call of check()."""
    return f"{task.prompt}{completion}\n\n{task.test}\n\ncheck({task.entry_point})\n"


def run_samples(items: list[tuple[EvalTask, str]], *, limits: Limits | None = None) -> list[SampleResult]:
    """Run each (task, completion) in its own sandbox, in parallel; results in the order given."""
    if not items:
        return []
    limits = limits or limits_from_settings()
    bwrap = _bwrap()
    ready, message = _probe(bwrap)
    if not ready:
        if not _unsafe():
            raise RuntimeError(message)
        command = plain_command()  # development override only: same harness and limits, no isolation
    else:
        command = bwrap_command(bwrap, limits)
    programs = [program_for(task, completion) for task, completion in items]
    workers = min(settings.HAZLOG_EVAL_SANDBOX_WORKERS or os.cpu_count() or 2, len(programs))
    slots: queue.SimpleQueue[int] = queue.SimpleQueue()
    for slot in range(workers):
        slots.put(slot)

    def run(program: str) -> SampleResult:
        slot = slots.get()  # one sample per slot at a time: its uid is its own
        try:
            return run_one(program, command=command, limits=limits, slot=slot)
        finally:
            slots.put(slot)

    with cf.ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, programs))
