"""The built-in suites: deterministic task sets, references that pass in the sandbox, honest docstrings."""

import pytest

from evaluations import outcomes, sandbox
from evaluations.suites import BUILTIN_SUITES, chained, get_suite, rubric
from evaluations.suites.base import task_set_digest

# The chained suite v1 at seed 2022, 20 tasks per level. If this changes, the generator changed: that is a
# new suite version, or earlier runs no longer name the tasks they ran.
CHAINED_V1_SEED_2022 = "87991a4af2375f01decd6863230bafdf86f2e50eda46c2ada1d0615c470d969c"


def test_the_chained_suite_is_deterministic_and_pinned():
    suite = get_suite("chained")
    first = suite.tasks(version="1", seed=2022, tasks_per_level=20)
    assert len(first) == 13 * 20
    assert task_set_digest(first) == task_set_digest(suite.tasks(version="1", seed=2022, tasks_per_level=20))
    assert task_set_digest(first) != task_set_digest(suite.tasks(version="1", seed=2023, tasks_per_level=20))
    assert task_set_digest(first) == CHAINED_V1_SEED_2022
    task = next(t for t in first if t.level == 3)
    assert task.prompt.count("\n    1. ") == 1 and "    3. " in task.prompt and "    4. " not in task.prompt
    assert len(task.attributes["steps"]) == 3


@pytest.mark.parametrize(
    ("key", "example", "expected"),
    [
        ("remove_e", "eee Exe", " Ex"),
        ("spaces_to_bangs", "a b c", "a!b!c"),
        ("lowercase", "AbC", "abc"),
        ("trim_two", "abcdefg", "cde"),
        ("remove_vowels", "Education", "dctn"),
        ("remove_every_third", "abcdefg", "bcef"),
        ("first_half", "abcdefg", "abc"),
        ("triple_spaces", "a b", "a   b"),
        ("reverse_words", "one two three", "three two one"),
        ("drop_first_half_words", "a b c d e", "c d e"),
        ("append_apples", "red green", "red apples green apples"),
        ("upper_every_other", "abcde", "AbCdE"),
        ("remove_punctuation", "Hi! Why? Yes.", "Hi Why Yes"),
    ],
)
def test_each_block_does_what_its_docstring_line_says(key, example, expected):
    assert chained.apply([chained.BLOCKS_BY_KEY[key]], example) == expected


def test_the_rubric_has_its_levels_and_every_attribute_rated_somewhere():
    tasks = get_suite("spec-rubric").tasks(version="1", seed=0, tasks_per_level=50)
    assert len(tasks) >= 30
    assert {level: sum(t.level == level for t in tasks) >= 5 for level in range(1, 6)} == dict.fromkeys(
        range(1, 6), True
    )
    for attribute in rubric.ATTRIBUTES[:6]:
        assert any(t.attributes.get(attribute, 0) > 0 for t in tasks), attribute
    assert all(set(t.attributes.values()) <= {0, 1, 2} for t in tasks)


def test_every_reference_passes_its_own_tests_and_a_wrong_completion_fails_in_the_sandbox():
    ready, message = sandbox.available()
    assert ready, message
    tasks = [
        *get_suite("chained").tasks(version="1", seed=2022, tasks_per_level=2),
        *get_suite("spec-rubric").tasks(version="1", seed=0, tasks_per_level=50),
    ]
    results = sandbox.run_samples([(t, t.reference) for t in tasks] + [(t, "    return None\n") for t in tasks])
    references, wrong = results[: len(tasks)], results[len(tasks) :]
    assert [
        (t.task_id, r.outcome, r.detail) for t, r in zip(tasks, references, strict=True) if r.outcome != "passed"
    ] == []
    assert all(r.outcome != outcomes.PASSED for r in wrong)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"version": "9", "seed": 1, "tasks_per_level": 2}, "Unknown version"),
        ({"version": "1", "seed": -1, "tasks_per_level": 2}, "seed"),
        ({"version": "1", "seed": 1, "tasks_per_level": 51}, "between 1 and 50"),
    ],
)
def test_bad_suite_arguments_are_refused_by_name(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BUILTIN_SUITES["chained"].tasks(**kwargs)
