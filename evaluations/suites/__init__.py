"""The built-in evaluation suites, by key; teams' own suites are uploaded (humaneval.py) and stored."""

from evaluations.suites.base import Suite
from evaluations.suites.chained import ChainedSuite
from evaluations.suites.rubric import RubricSuite

BUILTIN_SUITES: dict[str, Suite] = {suite.key: suite for suite in (ChainedSuite(), RubricSuite())}


def get_suite(key: str) -> Suite:
    return BUILTIN_SUITES[key]
