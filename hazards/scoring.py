"""Risk-matrix maths, pure: validate a matrix and look up the risk level of a rating.

Assessments store their own copy of a matrix as JSON (later edits to the project's matrix never change a
signed assessment); every function here takes that JSON, so the same code scores any preset or edit.
"""

import copy
import re
from dataclasses import dataclass
from typing import Any

from hazards.matrices import DEFAULT_PRESET, PRESETS

__all__ = ["DEFAULT_PRESET", "PRESETS", "Level", "MatrixError"]

MAX_AXIS_LEVELS = 10
DEFAULT_COLOUR = "#cccccc"
DEFAULT_TEXT_COLOUR = "#1f2328"
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class MatrixError(ValueError):
    """A matrix definition that cannot be used, with every problem found."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Level:
    key: str
    name: str
    rank: int  # 1 = least severe level of this matrix
    colour: str
    text_colour: str
    acceptance: str
    needs_signoff: bool


def preset(key: str) -> dict[str, Any]:
    """A fresh copy of a preset, safe to store and edit."""
    try:
        return copy.deepcopy(PRESETS[key])
    except KeyError:
        raise MatrixError([f"Unknown matrix preset {key!r}; choose one of {', '.join(PRESETS)}."]) from None


def validate(matrix: Any) -> dict[str, Any]:
    """Return the matrix if it is usable, else raise MatrixError listing every problem."""
    problems: list[str] = []
    if not isinstance(matrix, dict):
        raise MatrixError(["The matrix must be an object."])
    axes = {}
    for axis in ("likelihood", "severity"):
        levels = matrix.get(axis)
        if not isinstance(levels, list) or not 2 <= len(levels) <= MAX_AXIS_LEVELS:
            problems.append(f"{axis} needs between 2 and {MAX_AXIS_LEVELS} levels.")
            continue
        for index, level in enumerate(levels, start=1):
            if not isinstance(level, dict) or level.get("value") != index:
                problems.append(f"{axis} level {index} must have value {index} (levels run from lowest up).")
            elif not str(level.get("name", "")).strip():
                problems.append(f"{axis} level {index} needs a name.")
        axes[axis] = len(levels)
    level_defs = matrix.get("levels")
    keys: list[str] = []
    if not isinstance(level_defs, list) or not level_defs:
        problems.append("The matrix needs at least one risk level.")
    else:
        for level in level_defs:
            if not isinstance(level, dict) or not str(level.get("key", "")).strip():
                problems.append("Every risk level needs a key.")
                continue
            if not str(level.get("name", "")).strip():
                problems.append(f"Risk level {level['key']!r} needs a name.")
            keys.append(level["key"])
        if len(set(keys)) != len(keys):
            problems.append("Risk level keys must be unique.")
    grid = matrix.get("grid")
    if len(axes) == 2:
        if not isinstance(grid, list) or len(grid) != axes["severity"]:
            problems.append(f"The grid needs one row per severity level ({axes['severity']}).")
        else:
            for s, row in enumerate(grid, start=1):
                if not isinstance(row, list) or len(row) != axes["likelihood"]:
                    problems.append(f"Grid row for severity {s} needs {axes['likelihood']} cells.")
                    continue
                for lik, cell in enumerate(row, start=1):
                    if cell not in keys:
                        problems.append(f"Grid cell (severity {s}, likelihood {lik}) names unknown level {cell!r}.")
    if matrix.get("signoff_level") not in keys:
        problems.append("The sign-off level must be one of the risk levels.")
    five_point = matrix.get("five_point")
    if five_point is not None:
        for axis in ("likelihood", "severity"):
            mapping = five_point.get(axis) if isinstance(five_point, dict) else None
            if (
                not isinstance(mapping, list)
                or len(mapping) != 5
                or any(not isinstance(v, int) or not 1 <= v <= axes.get(axis, 0) for v in mapping)
            ):
                problems.append(f"five_point.{axis} must map the 5-point scale onto this matrix's levels.")
    if problems:
        raise MatrixError(problems)
    return matrix


def levels(matrix: dict[str, Any]) -> list[Level]:
    signoff_rank = rank_of(matrix, matrix["signoff_level"])
    return [
        Level(
            key=data["key"],
            name=data["name"],
            rank=rank,
            colour=data.get("colour", DEFAULT_COLOUR),
            text_colour=data.get("text_colour", DEFAULT_TEXT_COLOUR),
            acceptance=data.get("acceptance", ""),
            needs_signoff=rank >= signoff_rank,
        )
        for rank, data in enumerate(matrix["levels"], start=1)
    ]


def rank_of(matrix: dict[str, Any], level_key: str) -> int:
    for rank, data in enumerate(matrix["levels"], start=1):
        if data["key"] == level_key:
            return rank
    raise KeyError(level_key)


def level_by_key(matrix: dict[str, Any], level_key: str) -> Level:
    return levels(matrix)[rank_of(matrix, level_key) - 1]


def axis_size(matrix: dict[str, Any], axis: str) -> int:
    return len(matrix[axis])


def safe_colour(value: Any, fallback: str = DEFAULT_COLOUR) -> str:
    """A matrix colour if it is a plain #rgb or #rrggbb value, else the fallback (colours end up in CSS,
    SVG and spreadsheets, where anything else could inject markup or break the file)."""
    return value if isinstance(value, str) and _HEX_COLOUR.fullmatch(value) else fallback


def axis_name(matrix: dict[str, Any], axis: str, value: int | None) -> str:
    if value is None:
        return ""
    return matrix[axis][value - 1]["name"]


def in_range(matrix: dict[str, Any], axis: str, value: int | None) -> bool:
    return value is None or (isinstance(value, int) and 1 <= value <= axis_size(matrix, axis))


def level_for(matrix: dict[str, Any], likelihood: int | None, severity: int | None) -> Level | None:
    """The risk level of a rating, or None while either axis is unrated."""
    if likelihood is None or severity is None:
        return None
    if not (in_range(matrix, "likelihood", likelihood) and in_range(matrix, "severity", severity)):
        raise ValueError(f"Rating ({likelihood}, {severity}) is outside this matrix.")
    return level_by_key(matrix, matrix["grid"][severity - 1][likelihood - 1])


def signoff_rank(matrix: dict[str, Any]) -> int:
    return rank_of(matrix, matrix["signoff_level"])


def from_five_point(matrix: dict[str, Any], axis: str, value: int) -> int:
    """Map a rating on the catalogue's 1-5 scale onto this matrix's axis."""
    mapping = (matrix.get("five_point") or {}).get(axis)
    if mapping:
        return mapping[value - 1]
    size = axis_size(matrix, axis)
    return max(1, min(size, round(1 + (value - 1) * (size - 1) / 4)))
