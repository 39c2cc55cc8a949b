"""The specification-complexity rubric suite (framework §10): our own starter tasks at levels L1–L5.

Each task is tagged with its abstraction level and rated 0–2 on the expressivity attributes of §4.3
(variable interdependencies, temporal safety and liveness, concurrency, hyperproperties, nondeterminism).
The tasks live in data/spec-rubric-v<version>.json; a new or changed task means a new version file.
"""

import json
from functools import cache
from pathlib import Path

from evaluations.suites.base import RUBRIC_SCALE, EvalTask, Suite

DATA = Path(__file__).parent / "data"
ATTRIBUTES = (
    "variable_interdependencies",
    "temporal_safety",
    "temporal_liveness",
    "concurrency",
    "hyperproperties",
    "nondeterminism",
    "automatic_architecture_determination",
)


@cache
def _load(version: str) -> tuple[EvalTask, ...]:
    data = json.loads((DATA / f"spec-rubric-v{version}.json").read_text(encoding="utf-8"))
    return tuple(EvalTask(**task) for task in data["tasks"])


class RubricSuite(Suite):
    key = "spec-rubric"
    title = "Specification-complexity rubric"
    description = (
        "Hazlog's own tasks from a fully constrained snippet (L1) to small system requirements (L5), each rated "
        "on the method's expressivity attributes: concurrency, temporal safety, hyperproperties and more."
    )
    versions = ("1",)
    seeded = False
    scale = RUBRIC_SCALE
    levels = (1, 2, 3, 4, 5)
    default_tasks_per_level = 6

    def tasks(self, *, version: str, seed: int, tasks_per_level: int) -> list[EvalTask]:
        self.check_arguments(version=version, seed=seed, tasks_per_level=tasks_per_level)
        tasks = _load(version)
        return [task for level in self.levels for task in [t for t in tasks if t.level == level][:tasks_per_level]]
