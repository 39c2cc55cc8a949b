"""Reading a team's own tasks: HumanEval JSONL (task_id, prompt, entry_point, test), checked as a whole.

Every problem is reported with its line, and nothing is accepted until the file has none, so a suite is
never half-uploaded. Optional fields: level (1–13, default 1), canonical_solution (kept as the reference)
and attributes (expressivity ratings 0–2).
"""

import ast
import json

from evaluations import limits
from evaluations.suites.base import EvalTask

MAX_TASKS = 500
MAX_FIELD_CHARS = 50_000
REQUIRED = ("task_id", "prompt", "entry_point", "test")


class TaskFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _defines(source: str, name: str) -> bool | None:
    """Whether the source defines `name` at top level; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    return any(
        isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name
        for node in tree.body
    )


def _check_line(number: int, item, seen: set[str]) -> tuple[list[str], EvalTask | None]:
    where = f"line {number}"
    if not isinstance(item, dict):
        return [f"{where}: each line must be a JSON object."], None
    problems = []
    for field in REQUIRED:
        if field not in item:
            problems.append(f"{where}: `{field}` is missing.")
        elif not isinstance(item[field], str) or not item[field].strip():
            problems.append(f"{where}: `{field}` must be non-empty text.")
        elif len(item[field]) > MAX_FIELD_CHARS:
            problems.append(f"{where}: `{field}` is longer than {MAX_FIELD_CHARS:,} characters.")
    if problems:
        return problems, None
    task_id, prompt, entry_point, test = (item[f] for f in REQUIRED)
    if task_id in seen:
        problems.append(f"{where}: task_id {task_id!r} appears twice.")
    seen.add(task_id)
    if len(task_id) > 200:
        problems.append(f"{where}: task_id is longer than 200 characters.")
    if not entry_point.isidentifier():
        problems.append(f"{where}: `entry_point` {entry_point!r} is not a Python name.")
    defines = _defines(prompt + "    pass\n", entry_point)
    if defines is None and _defines(prompt, entry_point) is None:
        problems.append(f"{where}: `prompt` is not valid Python (with a body added).")
    elif not (defines or _defines(prompt, entry_point)):
        problems.append(f"{where}: `prompt` does not define `{entry_point}`.")
    checks = _defines(test, "check")
    if checks is None:
        problems.append(f"{where}: `test` is not valid Python.")
    elif not checks:
        problems.append(f"{where}: `test` does not define check(candidate).")
    level = item.get("level", 1)
    if isinstance(level, bool) or not isinstance(level, int) or limits.LEVEL.check(level):
        problems.append(f"{where}: `level` must be a whole number from {limits.LEVEL.low:g} to {limits.LEVEL.high:g}.")
    attributes = item.get("attributes", {})
    if not isinstance(attributes, dict) or any(
        not isinstance(k, str) or isinstance(v, bool) or v not in (0, 1, 2) for k, v in attributes.items()
    ):
        problems.append(f"{where}: `attributes` must map names to ratings 0, 1 or 2.")
    reference = item.get("canonical_solution", "")
    if not isinstance(reference, str):
        problems.append(f"{where}: `canonical_solution` must be text.")
    if problems:
        return problems, None
    return [], EvalTask(task_id, level, prompt, entry_point, test, reference, dict(attributes))


def parse(data: bytes, *, max_tasks: int = MAX_TASKS) -> list[EvalTask]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TaskFileError([f"The file is not UTF-8 text (byte {exc.start})."]) from None
    problems: list[str] = []
    tasks: list[EvalTask] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno}).")
            continue
        line_problems, task = _check_line(number, item, seen)
        problems += line_problems
        if task is not None:
            tasks.append(task)
    if not tasks and not problems:
        problems.append("The file has no tasks.")
    if len(seen) > max_tasks:
        problems.append(f"The file has {len(seen)} tasks; at most {max_tasks} are accepted.")
    if problems:
        raise TaskFileError(
            problems[:50] + ([f"… and {len(problems) - 50} more problems."] if len(problems) > 50 else [])
        )
    return tasks
