"""Model-written code runs only in the sandbox: every escape attempt fails safely and is recorded as such.

These run real bubblewrap sandboxes (installed by .ci/run), no doubles: the outcome and the detail each
attempt leaves are what a run records for that sample.
"""

import dataclasses
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from evaluations import outcomes, sandbox
from evaluations.sandbox import runner
from evaluations.suites.base import EvalTask

TASK = EvalTask("t", 1, "def double(x):\n", "double", "def check(candidate):\n    assert candidate(2) == 4\n")
PROJECT = Path(django_settings.BASE_DIR)
FAST = sandbox.Limits(cpu_seconds=2, wall_seconds=4, memory_mb=256, processes=32)


def run(body: str, limits=FAST):
    (result,) = sandbox.run_samples([(TASK, body)], limits=limits)
    return result


@pytest.fixture(autouse=True)
def _bubblewrap_required():
    ready, message = sandbox.available()
    assert ready, message  # CI installs bubblewrap: a missing sandbox must fail loudly here, not skip


def test_a_correct_completion_passes_and_the_failure_classes_are_told_apart():
    assert run("    return x * 2\n").outcome == outcomes.PASSED
    assert run("    return x\n").outcome == outcomes.WRONG_ANSWER
    result = run("    raise ValueError('bad input')\n")
    assert (result.outcome, result.detail) == (outcomes.EXCEPTION, "ValueError: bad input")
    assert run("    return (\n").outcome == outcomes.SYNTAX_ERROR


def test_no_network_not_even_the_database_on_loopback():
    result = run("    import socket\n    socket.create_connection(('127.0.0.1', 5432), timeout=2)\n")
    assert result.outcome == outcomes.EXCEPTION and "Connection refused" in result.detail
    result = run("    import socket\n    socket.create_connection(('1.1.1.1', 443), timeout=2)\n")
    assert result.outcome == outcomes.EXCEPTION and ("unreachable" in result.detail or "OSError" in result.detail)
    result = run(
        "    import socket\n    s = socket.socket(socket.AF_UNIX)\n    s.connect('/var/run/postgresql/.s.PGSQL.5432')\n"
    )
    assert result.outcome == outcomes.EXCEPTION and "No such file" in result.detail


def test_nothing_outside_its_private_tmp_can_be_written(tmp_path):
    target = PROJECT / "sandbox-escape-marker"
    for path in (target, Path("/etc/hazlog-escape"), Path("/usr/hazlog-escape")):
        result = run(f"    open({str(path)!r}, 'w').write('x')\n")
        assert result.outcome == outcomes.EXCEPTION, path
        assert not path.exists()
    assert run("    open('/tmp/scratch', 'w').write('x')\n    return x * 2\n").outcome == outcomes.PASSED


def test_the_project_the_database_file_and_the_settings_are_not_visible():
    for path in (PROJECT / "config" / "settings.py", PROJECT / "db.sqlite3", PROJECT, Path("/work"), Path("/root")):
        probe = f"os.listdir({str(path)!r}) if os.path.isdir({str(path)!r}) else open({str(path)!r}).read()"
        result = run(f"    import os\n    {probe}\n")
        assert result.outcome == outcomes.EXCEPTION and "No such file" in result.detail, path


def test_no_secret_reaches_the_sample_through_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "secret-marker-3f1d")
    monkeypatch.setenv("DATABASE_URL", "postgres://secret-marker-3f1d@db/x")
    result = run(
        "    import os\n    leaked = [k for k, v in os.environ.items() if 'secret-marker' in v]\n"
        "    assert not leaked, leaked\n    assert set(os.environ) <= {'PATH', 'LANG', 'PYTHONDONTWRITEBYTECODE',"
        " 'PYTHONHASHSEED', 'PWD'}, sorted(os.environ)\n    return x * 2\n"
    )
    assert result.outcome == outcomes.PASSED, result.detail


def test_a_fork_bomb_hits_the_process_limit_and_others_still_run():
    bomb = "    import os\n    while True:\n        os.fork()\n"
    results = sandbox.run_samples(
        [(TASK, bomb), (TASK, "    return x * 2\n"), (TASK, "    return x * 2\n")], limits=FAST
    )
    assert results[0].outcome == outcomes.SANDBOX_VIOLATION and "Process limit" in results[0].detail
    assert [r.outcome for r in results[1:]] == [outcomes.PASSED, outcomes.PASSED]


def test_an_infinite_loop_is_stopped_by_the_cpu_limit():
    # A wall clock far above the CPU limit, so that a loaded machine (the loop getting half a core) still
    # shows the CPU limit and not the wall clock doing the stopping.
    result = run("    while True:\n        pass\n", limits=dataclasses.replace(FAST, wall_seconds=30))
    assert (result.outcome, result.detail) == (outcomes.TIMEOUT, "Killed after 2 s of CPU time.")


def test_sleeping_is_stopped_by_the_wall_clock():
    result = run("    import time\n    time.sleep(100)\n")
    assert result.outcome == outcomes.TIMEOUT and "wall time" in result.detail
    assert result.duration_ms < 8000


def test_a_10_gb_allocation_hits_the_memory_limit():
    result = run("    block = bytearray(10 * 1024 ** 3)\n")
    assert result.outcome == outcomes.SANDBOX_VIOLATION and "Memory limit" in result.detail


def test_100_mb_of_output_is_cut_off():
    result = run("    import sys\n    sys.stdout.write('x' * 100_000_000)\n")
    assert result.outcome == outcomes.SANDBOX_VIOLATION and "printing more than" in result.detail


def test_a_sample_cannot_claim_a_pass_by_printing_or_leaving_early():
    # What a passing verdict looks like, printed on stdout: ignored, the verdict travels elsewhere with a nonce.
    assert run("    print('passed')\n    print('0' * 32 + ' passed')\n    return x\n").outcome == outcomes.WRONG_ANSWER
    left = run("    import os\n    os._exit(0)\n")
    assert left.outcome == outcomes.EXCEPTION and "before its tests finished" in left.detail
    assert run("    import sys\n    sys.exit(0)\n").outcome == outcomes.EXCEPTION
    guessed = (
        "    import os\n    for fd in range(3, 1024):\n        try:\n            os.write(fd, b'x passed\\n')\n"
        "        except OSError:\n            pass\n    return x\n"
    )
    assert run(guessed).outcome == outcomes.WRONG_ANSWER


def test_killing_its_parent_or_other_processes_is_not_possible():
    result = run(
        "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n"
        "    os.kill(1, signal.SIGKILL)\n    return x * 2\n"
    )
    assert result.outcome in (outcomes.PASSED, outcomes.EXCEPTION)  # inside its own PID namespace only
    assert os.getpid()  # this process is untouched


def test_without_bubblewrap_evaluations_refuse_with_how_to_enable_it(settings):
    settings.HAZLOG_EVAL_SANDBOX_BWRAP = "/nonexistent/bwrap"
    ready, message = sandbox.available()
    assert not ready
    assert "apt-get install bubblewrap" in message
    with pytest.raises(RuntimeError, match="bubblewrap was not found"):
        sandbox.run_samples([(TASK, "    return x * 2\n")])


def test_the_development_override_is_ignored_with_debug_off(settings):
    settings.HAZLOG_EVAL_SANDBOX_BWRAP = "/nonexistent/bwrap"
    settings.HAZLOG_EVAL_SANDBOX_ALLOW_UNSAFE = True
    settings.DEBUG = False
    assert sandbox.available()[0] is False
    settings.DEBUG = True
    ready, message = sandbox.available()
    assert ready and "WITHOUT isolation" in message
    assert sandbox.run_samples([(TASK, "    return x * 2\n")])[0].outcome == outcomes.PASSED


def test_the_command_binds_only_system_directories_read_only():
    command = runner.bwrap_command("/usr/bin/bwrap", FAST)
    binds = [command[i + 1] for i, arg in enumerate(command) if arg in ("--bind", "--ro-bind")]
    assert "--bind" not in command and "--unshare-all" in command and "--clearenv" in command
    assert all(not str(PROJECT).startswith(b) and not b.startswith(str(PROJECT)) for b in binds)
