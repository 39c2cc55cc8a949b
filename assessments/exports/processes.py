"""Runs one function over a list of items in forked processes, a bounded number at a time, results in order.

The PDF report uses it to lay out its parts on every CPU. Each item gets a fresh process that exits after
it (WeasyPrint does not give memory back, so a process reused for a second part would keep the first
part's peak), forked from the caller so that it starts with Django, WeasyPrint and the export document
already loaded instead of importing them again. Results travel back through a pipe and must be small.
"""

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from multiprocessing.connection import wait
from typing import Any

PR_SET_PDEATHSIG = 1
# Database connections inherited from the parent: kept referenced and never closed in the child, because
# closing a socket the parent shares would end the parent's session (psycopg says goodbye to the server).
_INHERITED: list[Any] = []


class PartFailed(RuntimeError):
    pass


def default_count() -> int:
    """The CPUs this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _die_with_parent(parent: int) -> None:
    # If the worker running the export is killed (the OOM killer, a hard time limit), its children must
    # not go on laying out a report nobody will read.
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the parent's `finally` is the only cleanup
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _forget_inherited_connections() -> None:
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        _INHERITED.append(connection.connection)
        connection.connection = None  # a query here (there should be none) opens a connection of its own


def _child(function: Callable, item: Any, parent: int, sender) -> None:
    """Runs in the forked process; never returns (the parent's code must not go on running here)."""
    try:
        # What the parent owns outlives this short process anyway: out of the collector's sight, its objects
        # are neither traversed again at every full collection nor written to (their headers), which would
        # copy the pages they share with the parent. Measured on the 2,000-scenario PDF: a tenth of its CPU.
        gc.freeze()
        _die_with_parent(parent)
        _forget_inherited_connections()
        try:
            sender.send(("ok", function(item)))
        except BaseException as exc:  # reported to the parent, which raises it
            sender.send(("error", f"{exc.__class__.__name__}: {str(exc)[:300]}"))
    finally:
        # No atexit handlers, no garbage collection of what the parent owns: just go.
        os._exit(0)


def run(
    function: Callable[[Any], Any],
    items: Sequence[Any],
    *,
    processes: int,
    done: Callable[[int], None] = lambda count: None,
) -> list[Any]:
    """`[function(item) for item in items]`, computed in up to `processes` forked processes at once.

    `done(n)` is called in this process each time an item finishes (n items so far). The first failure
    stops the others and raises PartFailed; so does a process that dies without answering.
    """
    if processes <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(function(item))
            done(len(results))
        return results
    results: list[Any] = [None] * len(items)
    running: dict[Any, tuple[int, int]] = {}  # receiving end of the pipe → (index, pid)
    upcoming = list(range(len(items)))
    upcoming.reverse()
    finished = 0
    try:
        while running or upcoming:
            while upcoming and len(running) < processes:
                index = upcoming.pop()
                receiver, sender = multiprocessing.Pipe(duplex=False)
                # os.fork rather than multiprocessing.Process: a Celery pool process counts as a daemon,
                # and multiprocessing refuses to start children from one.
                parent = os.getpid()
                pid = os.fork()
                if pid == 0:
                    receiver.close()
                    _child(function, items[index], parent, sender)
                sender.close()  # only the child writes: its end closing is how a dead child shows
                running[receiver] = (index, pid)
            for receiver in wait(list(running)):
                index, pid = running.pop(receiver)
                try:
                    status, value = receiver.recv()
                except EOFError:
                    status, value = "error", "the process stopped without an answer"
                receiver.close()
                os.waitpid(pid, 0)
                if status != "ok":
                    raise PartFailed(f"Part {index + 1} of {len(items)} failed ({value}).")
                results[index] = value
                finished += 1
                done(finished)
    finally:
        for receiver, (_, pid) in running.items():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            receiver.close()
    return results
