"""The demo's simulated model: deterministic completions, labelled as demo data wherever they appear.

Hazlog ships no real model's output. For the demo it writes completions itself: a sample passes with a
probability that falls with the level (as measured models do), and otherwise is one of the mistakes
measured models make (a skipped or extra step, a wrong name, a syntax error), some with an insecure habit
for the scanner to find. Their outcomes were recorded once in the real sandbox (demo_data/, written by
`manage.py record_demo_evaluations`), so the demo works where no sandbox is installed; a test checks the
recording still matches what the sandbox says.
"""

import json
import random
from dataclasses import dataclass
from pathlib import Path

from evaluations.suites.base import EvalTask

DATA = Path(__file__).parent / "demo_data"
# The demo assessment's model (a fictional one): its runs are current evidence, labelled as demo data.
DEMO_MODEL = "CodeGen-X"
DEMO_VERSION = "2026.10"


@dataclass(frozen=True)
class DemoRun:
    suite_key: str
    version: str
    seed: int
    tasks_per_level: int
    samples_per_task: int
    p1: float  # chance of a correct sample at the lowest level
    ratio: float  # per level

    @property
    def file(self) -> Path:
        return DATA / f"{self.suite_key}-v{self.version}-seed{self.seed}.json"


DEMO_RUNS = [
    DemoRun("chained", "1", 2022, 5, 4, p1=0.9, ratio=0.72),
    DemoRun("spec-rubric", "1", 0, 6, 4, p1=0.95, ratio=0.7),
]

INSECURE_HABITS = [
    "    import subprocess  # demo: runs a shell for no reason\n    subprocess.run('true', shell=True)\n",
    "    import hashlib  # demo: a weak hash\n    hashlib.md5(b'x').hexdigest()\n",
    "    password = 'hunter2'  # demo: a hard-coded secret\n",
]


def _mistake(task: EvalTask, rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.1:
        return "    return (\n"  # a syntax error
    if kind < 0.25:
        return "    return undefined_helper(" + ("s" if "s" in task.prompt else "None") + ")\n"
    if task.entry_point == "string_manipulation":
        # Loses track of the steps, as models do with long docstrings: one step too many.
        return task.reference.replace("    return s\n", "    s = s[::-1]\n    return s\n")
    return "    raise NotImplementedError\n"


def completions(demo: DemoRun, tasks: list[EvalTask]) -> list[tuple[EvalTask, int, str]]:
    """(task, sample index, completion) for every sample of the demo run; the same every time."""
    lowest = min(task.level for task in tasks)
    out = []
    for task in tasks:
        for index in range(demo.samples_per_task):
            rng = random.Random(f"demo:{task.task_id}:{index}")
            chance = demo.p1 * demo.ratio ** (task.level - lowest)
            completion = task.reference if rng.random() < chance else _mistake(task, rng)
            if rng.random() < 0.12:
                completion = rng.choice(INSECURE_HABITS) + completion
            out.append((task, index, completion))
    return out


def recorded_outcomes(demo: DemoRun) -> dict[str, list]:
    """{"task_id#index": [outcome, detail, duration_ms]} as recorded in the sandbox."""
    return json.loads(demo.file.read_text(encoding="utf-8"))["outcomes"]


def record(demo: DemoRun, results: dict[str, list]) -> None:
    DATA.mkdir(exist_ok=True)
    payload = {
        "note": "Outcomes of the demo's simulated completions, recorded in the sandbox. Not a real model.",
        "outcomes": dict(sorted(results.items())),
    }
    demo.file.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
