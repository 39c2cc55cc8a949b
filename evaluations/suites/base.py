"""What every evaluation suite produces: programming tasks in the HumanEval shape, tagged with a level."""

from dataclasses import dataclass, field


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
