"""Running one sample in bubblewrap: the command line, the limits, reading the verdict, classifying the end.

Isolation (bubblewrap): new user, PID, network, IPC, UTS and cgroup namespaces (`--unshare-all`: no
network at all, not even loopback to the database), a cleared environment (no secret reaches the sample),
a read-only view of the interpreter and system libraries only (not the project, the database file, the
settings or any home directory), a private size-limited tmpfs as the only writable place, no /proc, and
the whole sandbox killed with its parent. Run as root (CI, containers), it first drops to an unprivileged
uid, so the process limit counts the sandbox's own processes. Limits (setrlimit): CPU seconds, address
space, file size, processes, no core dumps; the wall clock and the output size are enforced from outside.

Known limit: the verdict is written by the harness in the same interpreter as the sample, so a sample
written to forge its own verdict could read the nonce from the harness's globals. That can only misreport
that sample's own result (never reach anything outside the sandbox); the per-sample view shows the code.
"""

import json
import os
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from evaluations import outcomes
from evaluations.sandbox.harness import HARNESS

# Run as root, each concurrent sample gets its own unprivileged uid (this base + its slot), so the process
# limit of one sample (RLIMIT_NPROC counts per uid) is never used up by a fork bomb in another.
SANDBOX_UID_BASE = 61000
# Inside the sandbox: a private tmpfs mounted there, not the host's /tmp.
SANDBOX_TMP = "/tmp"  # noqa: S108
DETAIL_MAX = 400


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 5
    wall_seconds: float = 10
    memory_mb: int = 512
    processes: int = 64
    output_bytes: int = 64 * 1024  # kept for the detail; more than OUTPUT_KILL_FACTOR times this kills it
    file_mb: int = 16
    tmp_mb: int = 32


OUTPUT_KILL_FACTOR = 16


@dataclass(frozen=True)
class SampleResult:
    outcome: str
    detail: str
    duration_ms: int


def interpreter() -> str:
    """The Python the samples run with: the system's (outside any home directory), else this one's base."""
    for candidate in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.path.exists(candidate):
            return candidate
    return os.path.join(sys.base_prefix, "bin", "python3")


def bwrap_command(bwrap: str, limits: Limits, python: str | None = None) -> list[str]:
    python = python or interpreter()
    command = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv", "PATH", "/usr/bin:/bin",
        "--setenv", "LANG", "C.UTF-8",
        "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        "--setenv", "PYTHONHASHSEED", "0",
        "--ro-bind", "/usr", "/usr",
        "--symlink", "usr/lib", "/lib",
        "--symlink", "usr/lib64", "/lib64",
        "--symlink", "usr/bin", "/bin",
        "--dev", "/dev",
        "--size", str(limits.tmp_mb * 1024 * 1024), "--tmpfs", SANDBOX_TMP,
        "--chdir", SANDBOX_TMP,
    ]  # fmt: skip
    prefix = os.path.realpath(sys.base_prefix)
    if not python.startswith("/usr/") and not prefix.startswith("/usr"):
        command += ["--ro-bind", prefix, prefix]
    return [*command, python, "-I", "-c", HARNESS]


def _own_processes() -> int:
    """How many processes this (non-root) user already runs: the process limit counts them too."""
    uid = os.getuid()
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                count += os.stat(f"/proc/{entry}").st_uid == uid
            except OSError:
                continue
    return count


def _preexec(limits: Limits, slot: int):
    processes = limits.processes if os.geteuid() == 0 else _own_processes() + limits.processes

    def apply() -> None:
        if os.geteuid() == 0:
            uid = SANDBOX_UID_BASE + slot
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        memory = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_mb * 1024 * 1024,) * 2)
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def plain_command() -> list[str]:
    """The harness without bubblewrap: only for the development override (sandbox/unsafe.py)."""
    return [interpreter(), "-I", "-c", HARNESS]


def run_one(program: str, *, command: list[str], limits: Limits, slot: int = 0) -> SampleResult:
    nonce = secrets.token_hex(16)
    verdict_read, verdict_write = os.pipe()
    started = time.monotonic()
    try:
        process = subprocess.Popen(  # noqa: S603 - a fixed command; the program goes in on stdin
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(verdict_write,),  # the verdict's own pipe: what the sample prints never counts
            preexec_fn=_preexec(limits, slot),  # the uid and rlimits, set before exec
            env={"PATH": "/usr/bin:/bin"},
            start_new_session=True,
        )
    finally:
        os.close(verdict_write)
    target_fd = verdict_write
    return _collect(process, program, nonce, target_fd, verdict_read, limits, started)


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _collect(process, program, nonce, target_fd, verdict_read, limits: Limits, started: float) -> SampleResult:
    message = json.dumps({"program": program, "nonce": nonce, "verdict_fd": target_fd}).encode()
    try:
        process.stdin.write(message)
        process.stdin.close()
    except BrokenPipeError:
        pass  # the process died at once; its exit status says why
    kept = {process.stdout.fileno(): bytearray(), verdict_read: bytearray()}
    output_fd = process.stdout.fileno()
    output_total = 0
    killed_for = ""
    deadline = started + limits.wall_seconds
    kill_at = limits.output_bytes * OUTPUT_KILL_FACTOR
    open_fds = set(kept)
    while open_fds:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            killed_for = "wall"
            _kill(process)
            break
        ready, _, _ = select.select(list(open_fds), [], [], min(remaining, 0.5))
        for fd in ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                open_fds.discard(fd)
                continue
            buffer = kept[fd]
            room = limits.output_bytes - len(buffer)
            if room > 0:
                buffer.extend(chunk[:room])
            if fd == output_fd:
                output_total += len(chunk)
        if output_total > kill_at:
            killed_for = "output"
            _kill(process)
            break
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.wait()
    os.close(verdict_read)
    process.stdout.close()
    duration_ms = int((time.monotonic() - started) * 1000)
    return classify(
        process.returncode, bytes(kept[verdict_read]), bytes(kept[output_fd]), nonce, killed_for, limits, duration_ms
    )


def _tail(output: bytes) -> str:
    text = output.decode("utf-8", "replace").strip()
    return text[-DETAIL_MAX:]


def classify(
    returncode: int, verdict: bytes, output: bytes, nonce: str, killed_for: str, limits: Limits, duration_ms: int
) -> SampleResult:
    """The outcome of a sample from its verdict line, or from how the process ended when it has none."""
    if killed_for == "wall":
        return SampleResult(outcomes.TIMEOUT, f"Killed after {limits.wall_seconds:g} s of wall time.", duration_ms)
    if killed_for == "output":
        limit = limits.output_bytes * OUTPUT_KILL_FACTOR // 1024
        return SampleResult(outcomes.SANDBOX_VIOLATION, f"Killed for printing more than {limit} KiB.", duration_ms)
    # The first verdict only: processes forked by the sample inherit the descriptor and may write more.
    # Lines without the nonce (written by a sample that guessed the descriptor) are not verdicts.
    lines = [line.strip() for line in verdict.decode("utf-8", "replace").splitlines()]
    line = next((line for line in lines if line.startswith(nonce + " ")), "")
    if line.startswith(nonce + " "):
        outcome, _, detail = line[len(nonce) + 1 :].partition(" ")
        if outcome in dict(outcomes.CHOICES):
            if outcome == outcomes.EXCEPTION and "MemoryError" in detail:
                outcome, detail = outcomes.SANDBOX_VIOLATION, f"Memory limit of {limits.memory_mb} MB reached."
            elif outcome == outcomes.EXCEPTION and "Resource temporarily unavailable" in detail:
                outcome, detail = outcomes.SANDBOX_VIOLATION, f"Process limit of {limits.processes} reached."
            return SampleResult(outcome, detail[:DETAIL_MAX], duration_ms)
    if returncode is not None and returncode > 128:
        # bubblewrap reports a sandboxed process ended by signal N as exit status 128 + N.
        returncode = -(returncode - 128)
    if returncode == -signal.SIGXCPU:
        return SampleResult(outcomes.TIMEOUT, f"Killed after {limits.cpu_seconds} s of CPU time.", duration_ms)
    if returncode == -signal.SIGXFSZ:
        return SampleResult(outcomes.SANDBOX_VIOLATION, f"File size limit of {limits.file_mb} MB reached.", duration_ms)
    tail = _tail(output)
    if "MemoryError" in tail or "Cannot allocate memory" in tail:
        return SampleResult(outcomes.SANDBOX_VIOLATION, f"Memory limit of {limits.memory_mb} MB reached.", duration_ms)
    if "Resource temporarily unavailable" in tail or "BlockingIOError" in tail:
        return SampleResult(outcomes.SANDBOX_VIOLATION, f"Process limit of {limits.processes} reached.", duration_ms)
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name if -returncode in signal.Signals._value2member_map_ else returncode
        return SampleResult(outcomes.EXCEPTION, f"Ended by signal {name} before its tests finished.", duration_ms)
    detail = "Exited before its tests finished" + (f": {tail}" if tail else ".")
    return SampleResult(outcomes.EXCEPTION, detail[:DETAIL_MAX], duration_ms)


def bwrap_path(configured: str) -> str | None:
    return shutil.which(configured) if configured else None
