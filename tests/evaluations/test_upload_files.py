"""Uploaded files (teams' tasks, harness completions): every problem named by line, nothing half-accepted."""

import json

import pytest

from evaluations import completions_file
from evaluations.suites import humaneval

GOOD_TASK = {
    "task_id": "team/1",
    "prompt": 'def inc(x):\n    """Return x + 1."""\n',
    "entry_point": "inc",
    "test": "def check(candidate):\n    assert candidate(1) == 2\n",
    "level": 2,
    "canonical_solution": "    return x + 1\n",
}


def jsonl(*items) -> bytes:
    return "\n".join(item if isinstance(item, str) else json.dumps(item) for item in items).encode()


def test_a_valid_task_file_becomes_tasks():
    (task,) = humaneval.parse(jsonl(GOOD_TASK, ""))
    assert (task.task_id, task.level, task.reference) == ("team/1", 2, "    return x + 1\n")


def test_every_problem_of_a_task_file_is_listed_with_its_line():
    with pytest.raises(humaneval.TaskFileError) as caught:
        humaneval.parse(
            jsonl(
                GOOD_TASK,
                "{not json",
                {**GOOD_TASK, "task_id": "team/2", "entry_point": "missing"},
                {**GOOD_TASK, "task_id": "team/3", "test": "def verify(c):\n    pass\n"},
                GOOD_TASK,
                {"task_id": "team/4", "prompt": "def f():\n"},
                {**GOOD_TASK, "task_id": "team/5", "level": 99},
            )
        )
    problems = caught.value.problems
    assert problems[0].startswith("line 2: not valid JSON")
    assert "line 3: `prompt` does not define `missing`." in problems
    assert "line 4: `test` does not define check(candidate)." in problems
    assert "line 5: task_id 'team/1' appears twice." in problems
    assert "line 6: `entry_point` is missing." in problems
    assert "line 7: `level` must be a whole number from 1 to 13." in problems


def test_empty_and_non_utf8_task_files_are_refused():
    with pytest.raises(humaneval.TaskFileError, match="no tasks"):
        humaneval.parse(b"\n\n")
    with pytest.raises(humaneval.TaskFileError, match="not UTF-8"):
        humaneval.parse(b"\xff\xfe")


def test_completions_are_numbered_per_task_when_the_file_gives_no_index():
    parsed = completions_file.parse(
        jsonl(
            {"task_id": "a", "completion": "x"},
            {"task_id": "a", "completion": "y"},
            {"task_id": "b", "completion": "z", "sample_id": 4},
        ),
        known_task_ids={"a", "b"},
        max_samples=10,
    )
    assert [(c.task_id, c.sample_index) for c in parsed] == [("a", 0), ("a", 1), ("b", 4)]


def test_every_problem_of_a_completions_file_is_listed_with_its_line():
    with pytest.raises(completions_file.CompletionsFileError) as caught:
        completions_file.parse(
            jsonl(
                {"task_id": "a", "completion": "x", "sample_index": 0},
                {"task_id": "zzz", "completion": "x"},
                {"task_id": "a", "completion": 3},
                {"task_id": "a", "completion": "x", "sample_index": 0},
                {"task_id": "a", "completion": "x", "sample_index": -1},
                "[1, 2]",
            ),
            known_task_ids={"a"},
            max_samples=10,
        )
    assert caught.value.problems == [
        "line 2: task 'zzz' is not in the suite's task set.",
        "line 3: `completion` is missing or not text.",
        "line 4: sample 0 of 'a' appears twice.",
        "line 5: `sample_index` must be a whole number of 0 or more.",
        "line 6: each line must be a JSON object.",
    ]


def test_too_many_samples_are_refused():
    with pytest.raises(completions_file.CompletionsFileError, match="at most 1"):
        completions_file.parse(
            jsonl({"task_id": "a", "completion": "x"}, {"task_id": "a", "completion": "y"}),
            known_task_ids={"a"},
            max_samples=1,
        )
