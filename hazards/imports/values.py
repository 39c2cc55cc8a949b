"""Which register value each distinct value of a rating or choice column stands for.

After the columns are mapped, every distinct value of the rating and choice columns is listed once with a
proposal (a number or a level name of the matrix; the value's position when the file's values form a known
ordered scale; a common synonym), each changeable by the user, and remembered per project like the column
mapping. A chosen mapping is {group: {value key: register value}}; a register value of None reads the
cell as empty (unrated, or the field's default), and a value that is absent is not mapped, so rows holding
it are reported as they always were.
"""

import math
import re
from dataclasses import dataclass
from typing import Any

from hazards.imports import vocabulary
from hazards.imports.reading import Table
from hazards.models import Category, HarmType, MitigationKind, MitigationStatus, Treatment

RATING_GROUPS: dict[str, tuple[str, ...]] = {
    "likelihood": ("inherent_likelihood", "residual_likelihood"),
    "severity": ("inherent_severity", "residual_severity"),
}
CHOICE_GROUPS = {
    "treatment": Treatment,
    "category": Category,
    "harm_type": HarmType,
    "mitigation_kind": MitigationKind,
    "mitigation_status": MitigationStatus,
}
GROUP_OF = {
    **{field: group for group, fields in RATING_GROUPS.items() for field in fields},
    **{field: field for field in CHOICE_GROUPS},
}
LABELS = {
    "likelihood": "Likelihood (inherent and residual)",
    "severity": "Severity (inherent and residual)",
    "treatment": "Treatment",
    "category": "Category",
    "harm_type": "Harm type",
    "mitigation_kind": "Mitigation kind",
    "mitigation_status": "Mitigation status",
}
# In forms: "" is "not mapped", EMPTY reads the cell as empty.
EMPTY = "empty"
_PLAIN_NUMBER = re.compile(r"^\s*(\d+)(?:\.0+)?\s*$")
# "3 - Moderate", "3: moderate", "3 (Moderate)", "L3", "P4": a number with a label.
_LABELLED_NUMBER = re.compile(r"^\s*[a-zA-Z]?(\d+)\s*(?:[-–—:.)(/]|\s)\s*\S.*$|^\s*[a-zA-Z](\d+)\s*$")


@dataclass
class Value:
    """One distinct value of a group's columns, with what it is read as."""

    key: str
    text: str  # as it first appears in the file
    rows: int
    choice: Any  # int level or code, None for "read as empty"; see `mapped`
    mapped: bool
    reason: str


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def found(table: Table, mapping: dict[str, str]) -> dict[str, dict[str, list]]:
    """{group: {key: [first text, rows]}} over the columns mapped to rating and choice fields."""
    index = {header: i for i, header in enumerate(table.headers) if header}
    columns = [(GROUP_OF[field], index[header]) for header, field in mapping.items() if field in GROUP_OF]
    seen: dict[str, dict[str, list]] = {}
    for _, cells in table.rows:
        for group, i in columns:
            if cells[i] is None:
                continue
            text = _text(cells[i])
            entry = seen.setdefault(group, {}).setdefault(vocabulary.key(text) or text, [text, 0])
            entry[1] += 1
    return seen


def _level_names(levels: list[dict]) -> dict[str, int]:
    names = {vocabulary.key(level["name"]): level["value"] for level in levels}
    # MIL-STD-882E names carry a code ("E Improbable"); "Improbable" alone matches too.
    names.update({vocabulary.key(level["name"].split(" ", 1)[-1]): level["value"] for level in levels})
    return names


def _number(text: str) -> int | None:
    match = _PLAIN_NUMBER.match(text)
    return int(match.group(1)) if match else None


def _labelled_number(text: str) -> int | None:
    match = _LABELLED_NUMBER.match(text)
    return int(match.group(1) or match.group(2)) if match else None


def _on_axis(position: int, size: int, axis_size: int) -> int:
    """A position on a file's scale of `size` levels as a level of an axis of `axis_size` (same ends)."""
    if size == 1:
        return 1
    return 1 + math.floor(position * (axis_size - 1) / (size - 1) + 0.5)


def _position(scale, word: str) -> int | None:
    return next((i for i, level in enumerate(scale) if word in level), None)


def _best_scale(group: str, words: set[str], axis_size: int):
    """The known scale holding every word: one of as many levels as the file uses, of the axis's size, smallest."""
    fitting = [scale for scale in vocabulary.SCALES[group] if all(_position(scale, w) is not None for w in words)]
    fitting.sort(key=lambda scale: (len(scale) != len(words), len(scale) != axis_size, len(scale)))
    return fitting[0] if fitting else None


def _propose_ratings(group: str, values: dict[str, list], levels: list[dict]) -> dict[str, tuple]:
    size = len(levels)
    names = _level_names(levels)
    proposed: dict[str, tuple] = {}
    for word, (text, _) in values.items():
        number = _number(text)
        if number is not None:
            proposed[word] = (number, True, "its number") if 1 <= number <= size else (None, False, f"not 1–{size}")
        elif word in names:
            proposed[word] = (names[word], True, "a level name of this matrix")
    words = {word for word, (text, _) in values.items() if _number(text) is None}
    if all(word in proposed for word in words):
        return proposed
    scale = _best_scale(group, words, size)
    if scale is not None and len(words) > 1:
        order = sorted(words, key=lambda w: _position(scale, w))
        shown = " < ".join(values[w][0] for w in order)
        for word in words:
            position = _position(scale, word)
            proposed[word] = (
                _on_axis(position, len(scale), size),
                True,
                f"{position + 1} of {len(scale)} on the file's scale ({shown})",
            )
        return proposed
    for word in words - set(proposed):
        number = _labelled_number(values[word][0])
        if number is not None and 1 <= number <= size:
            proposed[word] = (number, True, "the number it starts with")
            continue
        scales = [s for s in vocabulary.SCALES[group] if _position(s, word) is not None]
        scales.sort(key=lambda s: (len(s) != size, len(s)))
        if scales:
            position = _position(scales[0], word)
            proposed[word] = (
                _on_axis(position, len(scales[0]), size),
                True,
                f"usually level {position + 1} of {len(scales[0])}",
            )
        else:
            proposed[word] = (None, False, "no match: choose a level")
    return proposed


def _propose_choices(group: str, values: dict[str, list]) -> dict[str, tuple]:
    choices = CHOICE_GROUPS[group]
    names = {vocabulary.key(code): code for code in choices.values}
    names.update({vocabulary.key(str(label)): code for code, label in choices.choices})
    synonyms = vocabulary.CHOICE_SYNONYMS.get(group, {})
    proposed: dict[str, tuple] = {}
    for word in values:
        if word in names:
            proposed[word] = (names[word], True, "Hazlog's own name")
        elif synonyms.get(word):
            proposed[word] = (synonyms[word], True, "a common word for it")
        elif word in synonyms:
            proposed[word] = (None, True, "not decided yet: read as empty, so the default applies")
        else:
            proposed[word] = (None, False, "no match: choose one")
    return proposed


def allowed(group: str, matrix: dict) -> set:
    """Register values a value of the group may be mapped to (None: read as empty)."""
    if group in RATING_GROUPS:
        return {None, *(level["value"] for level in matrix[group])}
    return {None, *CHOICE_GROUPS[group].values}


def propose(table: Table, mapping: dict[str, str], matrix: dict, remembered: dict) -> dict[str, list[Value]]:
    """Every distinct value of the mapped rating and choice columns with what it is read as.

    The project's remembered choices come first (when still allowed on this matrix), then the proposals.
    """
    result: dict[str, list[Value]] = {}
    for group, values in found(table, mapping).items():
        if group in RATING_GROUPS:
            proposed = _propose_ratings(group, values, matrix[group])
        else:
            proposed = _propose_choices(group, values)
        kept = remembered.get(group) or {}
        options = allowed(group, matrix)
        listed = []
        for word, (text, rows) in values.items():
            if word in kept and kept[word] in options:
                choice, mapped, reason = kept[word], True, "as chosen in an earlier import"
            else:
                choice, mapped, reason = proposed[word]
            listed.append(Value(word, text, rows, choice, mapped, reason))
        result[group] = sorted(listed, key=_order)
    return dict(sorted(result.items(), key=lambda item: list(LABELS).index(item[0])))


def _order(value: Value):
    return (not value.mapped, -1 if value.choice is None else 0, str(value.choice), value.text.casefold())


def chosen(values: dict[str, list[Value]]) -> dict[str, dict]:
    """The mapping to import with: only values that are mapped."""
    return {group: {v.key: v.choice for v in listed if v.mapped} for group, listed in values.items()}


def options(group: str, matrix: dict) -> list[tuple[str, str]]:
    """Form choices for one value: not mapped, read as empty, then each level or code."""
    if group in RATING_GROUPS:
        levels = [(str(level["value"]), f"{level['value']} · {level['name']}") for level in matrix[group]]
        return [("", "— not mapped —"), (EMPTY, "Unrated"), *levels]
    choices = CHOICE_GROUPS[group]
    return [("", "— not mapped —"), (EMPTY, "Empty (the default)"), *((c, str(label)) for c, label in choices.choices)]


def as_form_value(value: Value) -> str:
    if not value.mapped:
        return ""
    return EMPTY if value.choice is None else str(value.choice)


def from_form_value(group: str, text: str) -> tuple[Any, bool]:
    """(register value, mapped) from a form choice; the form's own choices have checked `text`."""
    if text == "":
        return None, False
    if text == EMPTY:
        return None, True
    return (int(text), True) if group in RATING_GROUPS else (text, True)


def problems(group: str, mapped: dict, matrix: dict) -> list[str]:
    """What is wrong with one group of a chosen mapping (empty when it can be used)."""
    options_ = allowed(group, matrix)
    return [
        f"{LABELS.get(group, group)}: {value!r} is not a value Hazlog can use for “{word}”."
        for word, value in mapped.items()
        if value not in options_
    ]
