"""The exact task set a run uses: a built-in suite at a version and seed, or a team's uploaded suite."""

from functools import lru_cache

from evaluations.suites import BUILTIN_SUITES, get_suite
from evaluations.suites.base import EvalTask, task_set_digest

CUSTOM = "custom"
CUSTOM_SCALE = "level"


def suite_choices() -> list[tuple[str, str]]:
    return [(key, suite.title) for key, suite in BUILTIN_SUITES.items()]


@lru_cache(maxsize=32)
def _builtin(key: str, version: str, seed: int, tasks_per_level: int) -> tuple[EvalTask, ...]:
    # Generating the chained suite is cheap but not free; a worker re-reads the same set for every batch.
    return tuple(get_suite(key).tasks(version=version, seed=seed, tasks_per_level=tasks_per_level))


def builtin_tasks(key: str, *, version: str, seed: int, tasks_per_level: int) -> list[EvalTask]:
    return list(_builtin(key, version, seed, tasks_per_level))


def custom_tasks(custom_suite) -> list[EvalTask]:
    return [EvalTask(**task) for task in custom_suite.tasks]


def tasks_for_run(run) -> list[EvalTask]:
    if run.suite_key == CUSTOM:
        tasks = custom_tasks(run.custom_suite)
        return [task for task in tasks if _rank_in_level(tasks, task) < run.tasks_per_level]
    return builtin_tasks(run.suite_key, version=run.suite_version, seed=run.seed, tasks_per_level=run.tasks_per_level)


def _rank_in_level(tasks: list[EvalTask], task: EvalTask) -> int:
    same_level = [t.task_id for t in tasks if t.level == task.level]
    return same_level.index(task.task_id)


def scale_of(run) -> str:
    if run.suite_key == CUSTOM:
        return CUSTOM_SCALE
    return get_suite(run.suite_key).scale


def digest(tasks: list[EvalTask]) -> str:
    return task_set_digest(tasks)
