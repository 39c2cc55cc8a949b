"""What every evaluation suite produces: programming tasks in the HumanEval shape, tagged with a level."""

from dataclasses import dataclass, field

# What a suite's levels count; the assessment's context has one typical value for each.
CHAINED_SCALE = "chained steps"
RUBRIC_SCALE = "specification level"


@dataclass(frozen=True)
class EvalTask:
    """One task a model is asked to complete.

    The program run for a sample is `prompt + completion`, then `test` (which defines `check(candidate)`),
    then `check(<entry_point>)`: the HumanEval convention, so that tasks and completions from common
    evaluation harnesses work unchanged.
    """

    task_id: str  # unique within one suite version and seed
    level: int  # chained suite: number of chained steps (1-13); rubric suites: abstraction level (1-5)
    prompt: str  # signature and docstring the model continues
    entry_point: str  # name of the function the tests call
    test: str  # Python source defining check(candidate)
    reference: str = ""  # a body that passes the tests (empty for uploaded tasks that ship none)
    # Rubric expressivity attributes rated 0-2 (e.g. {"concurrency": 2}); the chained suite lists its steps.
    attributes: dict = field(default_factory=dict)


class Suite:
    """A built-in suite: versioned task data in the repository. `tasks()` is deterministic."""

    key: str
    title: str
    description: str
    versions: tuple[str, ...]
    seeded: bool
    scale: str  # what a level counts: CHAINED_SCALE or RUBRIC_SCALE
    levels: tuple[int, ...]
    default_tasks_per_level: int

    @property
    def latest_version(self) -> str:
        return self.versions[-1]

    def check_arguments(self, *, version: str, seed: int, tasks_per_level: int) -> None:
        if version not in self.versions:
            raise ValueError(f"Unknown version {version!r} of the {self.key} suite; it has {', '.join(self.versions)}.")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError("The seed must be a whole number of 0 or more.")
        if isinstance(tasks_per_level, bool) or not isinstance(tasks_per_level, int) or not 1 <= tasks_per_level <= 50:
            raise ValueError("Tasks per level must be between 1 and 50.")

    def tasks(self, *, version: str, seed: int, tasks_per_level: int) -> list[EvalTask]:
        raise NotImplementedError


def task_set_digest(tasks) -> str:
    """SHA-256 over a canonical JSON of the tasks: two runs with the same digest ran the same tasks."""
    import hashlib
    import json
    from dataclasses import asdict

    rows = [asdict(task) for task in tasks]
    return hashlib.sha256(json.dumps(rows, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
