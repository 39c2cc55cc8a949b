"""Reading completions from a file (JSONL), in the shapes common evaluation harnesses write.

Each line: {"task_id", "completion"} with an optional "sample_index" (or "sample_id"); without one, samples
of a task are numbered in the order they appear. Every problem is reported with its line; nothing is
accepted until there are none.
"""

import json
from dataclasses import dataclass

MAX_COMPLETION_CHARS = 50_000
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Completion:
    task_id: str
    completion: str
    sample_index: int


class CompletionsFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _index(item: dict):
    for key in ("sample_index", "sample_id"):
        if key in item:
            return key, item[key]
    return None, None


def parse(data: bytes, *, known_task_ids: set[str], max_samples: int) -> list[Completion]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CompletionsFileError([f"The file is not UTF-8 text (byte {exc.start})."]) from None
    problems: list[str] = []
    completions: list[Completion] = []
    taken: set[tuple[str, int]] = set()
    next_index: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{where}: not valid JSON ({exc.msg} at column {exc.colno}).")
            continue
        if not isinstance(item, dict):
            problems.append(f"{where}: each line must be a JSON object.")
            continue
        task_id, completion = item.get("task_id"), item.get("completion")
        if not isinstance(task_id, str) or not task_id:
            problems.append(f"{where}: `task_id` is missing or not text.")
            continue
        if task_id not in known_task_ids:
            problems.append(f"{where}: task {task_id!r} is not in the suite's task set.")
            continue
        if not isinstance(completion, str):
            problems.append(f"{where}: `completion` is missing or not text.")
            continue
        if len(completion) > MAX_COMPLETION_CHARS:
            problems.append(f"{where}: the completion is longer than {MAX_COMPLETION_CHARS:,} characters.")
            continue
        key, index = _index(item)
        if key is None:
            index = next_index.get(task_id, 0)
        elif isinstance(index, bool) or not isinstance(index, int) or index < 0:
            problems.append(f"{where}: `{key}` must be a whole number of 0 or more.")
            continue
        if (task_id, index) in taken:
            problems.append(f"{where}: sample {index} of {task_id!r} appears twice.")
            continue
        taken.add((task_id, index))
        next_index[task_id] = max(next_index.get(task_id, 0), index + 1)
        completions.append(Completion(task_id, completion, index))
    if not completions and not problems:
        problems.append("The file has no completions.")
    if len(completions) > max_samples:
        problems.append(f"The file has {len(completions):,} samples; a run takes at most {max_samples:,}.")
    if problems:
        extra = [f"… and {len(problems) - MAX_PROBLEMS} more problems."] if len(problems) > MAX_PROBLEMS else []
        raise CompletionsFileError(problems[:MAX_PROBLEMS] + extra)
    return completions
