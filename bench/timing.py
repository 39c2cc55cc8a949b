"""Timing one piece of work in-process: the median of several runs and the queries of one."""

import statistics
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext


def timed(fn, repeats: int) -> tuple[float, int]:
    """Median seconds of `repeats` runs (after one warm-up) and the query count of one run."""
    fn()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), len(ctx.captured_queries)
