"""Fixtures for evaluation runs: eager Celery (the worker's code in the test thread) and completions files."""

import json

from evaluations import tasksets
from tests.webtools import client_for

__all__ = ["client_for", "completions_jsonl", "rubric_tasks"]


def rubric_tasks(per_level: int = 1):
    return tasksets.builtin_tasks("spec-rubric", version="1", seed=0, tasks_per_level=per_level)


def completions_jsonl(tasks, *, samples: int = 2, wrong: frozenset[str] = frozenset()) -> bytes:
    """References for every task (sample 0 right, the others too unless the task is in `wrong`)."""
    lines = []
    for task in tasks:
        for index in range(samples):
            completion = "    return None\n" if (task.task_id in wrong and index) else task.reference
            lines.append(json.dumps({"task_id": task.task_id, "completion": completion, "sample_index": index}))
    return "\n".join(lines).encode()
