"""Chat answers of the shapes models really give become completions that make the HumanEval program work."""

import pytest

from evaluations.endpoint.extraction import completion_from_answer, extract_code
from evaluations.suites.base import EvalTask

TASK = EvalTask(
    task_id="rubric/1",
    level=1,
    prompt=(
        "from typing import List\n\n\n"
        "def running_max(numbers: List[int]) -> List[int]:\n"
        '    """Return the running maximum of the list.\n'
        "    >>> running_max([1, 3, 2])\n"
        "    [1, 3, 3]\n"
        '    """\n'
    ),
    entry_point="running_max",
    test=(
        "def check(candidate):\n"
        "    assert candidate([1, 3, 2]) == [1, 3, 3]\n"
        "    assert candidate([]) == []\n"
        "    assert candidate([5, 1, 7]) == [5, 5, 7]\n"
    ),
)

FULL_FUNCTION = (
    "def running_max(numbers: List[int]) -> List[int]:\n"
    "    result, best = [], None\n"
    "    for n in numbers:\n"
    "        best = n if best is None else max(best, n)\n"
    "        result.append(best)\n"
    "    return result\n"
)
BODY = (
    "result, best = [], None\n"
    "for n in numbers:\n"
    "    best = n if best is None else max(best, n)\n"
    "    result.append(best)\n"
    "return result\n"
)


def passes(completion: str, task: EvalTask = TASK) -> bool:
    """Runs the HumanEval program of a completion. The code is this file's own text, never a model's."""
    program = task.prompt + completion + "\n\n" + task.test + "\n\n" + f"check({task.entry_point})\n"
    try:
        exec(compile(program, "<program>", "exec"), {"__name__": "__main__"})  # noqa: S102 (trusted test text)
    except AssertionError:
        return False
    return True


def test_prose_around_one_fenced_block_gives_the_function_after_a_blank_line():
    answer = f"Sure! Here is an implementation:\n\n```python\n{FULL_FUNCTION}```\n\nIt runs in O(n) time."
    completion = completion_from_answer(answer, TASK)
    assert completion == "\n\n" + FULL_FUNCTION
    assert passes(completion)


def test_of_several_blocks_the_one_defining_the_entry_point_is_taken():
    answer = (
        "First, the usage:\n\n```python\nprint(running_max([1, 2]))\n```\n\n"
        f"The function:\n\n```python\n{FULL_FUNCTION}```\n\n"
        "And a quick test:\n\n```python\nassert running_max([2, 1]) == [2, 2]\n```\n"
    )
    completion = completion_from_answer(answer, TASK)
    assert "print(" not in completion and "assert running_max" not in completion
    assert passes(completion)


def test_a_block_repeating_the_whole_prompt_with_imports_and_a_helper_keeps_them_all():
    answer = (
        "```python\nfrom typing import List\nimport itertools\n\n\n"
        "def _accumulate(xs):\n    return list(itertools.accumulate(xs, max))\n\n\n"
        "def running_max(numbers: List[int]) -> List[int]:\n"
        '    """Return the running maximum of the list."""\n'
        "    return _accumulate(numbers)\n```"
    )
    completion = completion_from_answer(answer, TASK)
    assert "import itertools" in completion and "def _accumulate" in completion
    assert passes(completion)


def test_an_answer_without_any_fence_is_taken_whole():
    completion = completion_from_answer(FULL_FUNCTION, TASK)
    assert completion == "\n\n" + FULL_FUNCTION
    assert passes(completion)


def test_an_indented_body_without_a_fence_continues_the_prompt_as_it_is():
    answer = "    " + BODY.replace("\n", "\n    ").rstrip(" ")
    completion = completion_from_answer(answer, TASK)
    assert completion.startswith("    result, best = [], None\n")
    assert passes(completion)


def test_a_flush_left_body_in_a_block_is_indented_under_the_signature():
    completion = completion_from_answer(f"```python\n{BODY}```", TASK)
    assert completion.splitlines()[0] == "    result, best = [], None"
    assert "        best = n if best" in completion  # the nesting inside the body is kept
    assert passes(completion)


def test_crlf_line_endings_become_newlines():
    answer = f"Here you go:\n\n```python\n{FULL_FUNCTION}```\n".replace("\n", "\r\n")
    assert answer.count("\r\n") == 10
    completion = completion_from_answer(answer, TASK)
    assert "\r" not in completion
    assert passes(completion)


def test_a_block_cut_off_by_max_tokens_is_still_taken():
    answer = f"```python\n{FULL_FUNCTION}"  # the model stopped before the closing fence
    assert passes(completion_from_answer(answer, TASK))


def test_thinking_is_removed_before_the_code_is_found():
    answer = (
        "<think>Maybe\n```python\ndef running_max(numbers):\n    return numbers\n```\nno, that is wrong.</think>\n"
        f"```python\n{FULL_FUNCTION}```"
    )
    assert passes(completion_from_answer(answer, TASK))


@pytest.mark.parametrize("fence", ["```py", "```Python", "~~~python", "````python", "```"])
def test_fences_with_other_markers_and_tags_are_recognised(fence):
    closing = fence.rstrip("abcdefghijklmnopqrstuvwxyzPY")
    answer = f"Answer:\n{fence}\n{FULL_FUNCTION}{closing}\nDone."
    assert extract_code(answer, "running_max") == FULL_FUNCTION.rstrip("\n")


def test_a_python_block_is_preferred_to_a_shell_block_when_none_defines_the_entry_point():
    answer = f"Install nothing:\n```bash\npip list\n```\nBody:\n```python\n{BODY}```"
    assert passes(completion_from_answer(answer, TASK))


def test_a_wrong_answer_still_becomes_a_completion_that_runs_and_fails_the_tests():
    answer = "```python\ndef running_max(numbers):\n    return sorted(numbers)\n```"
    completion = completion_from_answer(answer, TASK)
    assert not passes(completion)


def test_an_empty_or_code_free_answer_gives_an_empty_completion():
    assert completion_from_answer("", TASK) == ""
    assert completion_from_answer("```python\n```", TASK) == ""


def test_a_body_continues_on_a_new_line_when_the_prompt_does_not_end_with_one():
    task = EvalTask(
        task_id="x",
        level=1,
        prompt='def double(x):\n    """Twice x."""',
        entry_point="double",
        test="def check(candidate):\n    assert candidate(2) == 4\n",
    )
    completion = completion_from_answer("```python\nreturn 2 * x\n```", task)
    assert completion == "\n    return 2 * x\n"
    assert passes(completion, task)


def test_a_definition_of_another_function_with_the_entry_points_name_as_prefix_is_a_body():
    answer = "```python\ndef running_max_helper():\n    pass\nreturn []\n```"
    completion = completion_from_answer(answer, TASK)
    assert completion.startswith("    def running_max_helper")
