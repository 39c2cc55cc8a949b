"""Turning mapped spreadsheet cells into register values, with a message per bad cell naming row and column.

Spreadsheets say things in many ways: ratings as numbers or as level names of the matrix ("Remote"),
choices as codes or labels ("Technical control"), dates as dates or text (2026-03-01, 01/03/2026), owners
as usernames or e-mail addresses. Anything that cannot be read is an error, never a silent guess.
"""

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db.models import TextChoices

from hazards import scoring
from hazards.imports import vocabulary
from hazards.imports.mapping import FIELDS_BY_KEY
from hazards.imports.reading import Table
from hazards.imports.values import GROUP_OF
from hazards.models import Category, HarmType, MitigationKind, MitigationStatus, Treatment
from hazards.services.scenarios import RATING_FIELDS

LINE_SPLIT = re.compile(r"\s*[\r\n]+\s*")
# A cell listing controls: one per line, else separated by semicolons, else by commas.
LIST_SEPARATORS = (LINE_SPLIT, re.compile(r"\s*;\s*"), re.compile(r"\s*,\s*"))
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
CHOICE_FIELDS: dict[str, type[TextChoices]] = {
    "category": Category,
    "treatment": Treatment,
    "harm_type": HarmType,
    "mitigation_kind": MitigationKind,
    "mitigation_status": MitigationStatus,
}
TEXT_FIELDS = (
    "title",
    "external_ref",
    "description",
    "causes",
    "affected_parties",
    "ticket_system",
    "ticket_key",
    "ticket_url",
)


@dataclass
class Problem:
    row: int | str
    column: str
    message: str

    def as_json(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Row:
    number: int
    values: dict[str, Any]
    columns: dict[str, str]  # field key → the header of the column it came from
    problems: list[Problem] = field(default_factory=list)

    def problem(self, field_key: str, message: str) -> None:
        known = FIELDS_BY_KEY.get(field_key)
        column = self.columns.get(field_key) or (known.label if known else "" if field_key == "__all__" else field_key)
        self.problems.append(Problem(self.number, column, message))


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _choice(value: Any, choices: type[TextChoices]) -> str | None:
    wanted = _norm(_text(value))
    for code, label in choices.choices:
        if wanted in (_norm(code), _norm(str(label))):
            return code
    return None


def _rating(value: Any, matrix: dict, axis: str) -> int | None:
    """A rating from a number or from a level name of this matrix; None if it cannot be read."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
    else:
        text = _text(value)
        if text.isdigit():
            number = int(text)
        else:
            wanted = _norm(text)
            names = {_norm(level["name"]): level["value"] for level in matrix[axis]}
            # MIL-STD-882E names carry a code ("E Improbable"); "Improbable" alone matches too.
            names.update({_norm(level["name"].split(" ", 1)[-1]): level["value"] for level in matrix[axis]})
            number = names.get(wanted, 0)
    return number if 1 <= number <= scoring.axis_size(matrix, axis) else None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def members_by_name(project) -> dict[str, User]:
    """Members of the project by lower-case username and e-mail (one query)."""
    found: dict[str, User] = {}
    for user in User.objects.filter(memberships__project=project, is_active=True):
        found[user.username.lower()] = user
        if user.email:
            found.setdefault(user.email.lower(), user)
    return found


def _axis_hint(matrix: dict, axis: str) -> str:
    names = ", ".join(level["name"] for level in matrix[axis])
    return f"Use 1 to {scoring.axis_size(matrix, axis)} or a {axis} level of this matrix ({names})."


def list_items(text: str) -> list[str]:
    """The items of a list cell, each once, in order."""
    separator = next((s for s in LIST_SEPARATORS if s.search(text)), LINE_SPLIT)
    return list(dict.fromkeys(item for item in separator.split(text) if item))


def convert(
    table: Table, mapping: dict[str, str], matrix: dict, members: dict[str, User], chosen: dict | None = None
) -> list[Row]:
    """One Row per data row, with every value it could read and a problem for every one it could not.

    `chosen` is the value mapping ({group: {value key: register value}}, see values.py); a value it does
    not hold is read as before, from a number or the matrix's or Hazlog's own names.
    """
    columns = {field_key: header for header, field_key in mapping.items() if field_key}
    index = {header: i for i, header in enumerate(table.headers) if header}
    rows = []
    for number, cells in table.rows:
        raw = {key: cells[index[header]] for key, header in columns.items() if header in index}
        row = Row(number=number, values={}, columns=columns)
        _convert_row(row, raw, matrix, members, chosen or {})
        rows.append(row)
    return rows


def _mapped(chosen: dict, field_key: str, value: Any) -> tuple[bool, Any]:
    """(found, register value) of a cell in the value mapping."""
    group = chosen.get(GROUP_OF.get(field_key, ""), {})
    word = vocabulary.key(_text(value)) or _text(value)
    return (True, group[word]) if word in group else (False, None)


def _convert_row(row: Row, raw: dict[str, Any], matrix: dict, members: dict[str, User], chosen: dict) -> None:
    values = row.values
    for key in TEXT_FIELDS:
        values[key] = _text(raw.get(key))
    if not values["title"]:
        row.problem("title", "Every row needs a title.")
    for key, choices in CHOICE_FIELDS.items():
        if raw.get(key) in (None, ""):
            continue
        found, code = _mapped(chosen, key, raw[key])
        if found:
            values[key] = code
            continue
        code = _choice(raw[key], choices)
        if code is None:
            row.problem(
                key, f"“{_text(raw[key])}” is not one of: {', '.join(str(label) for _, label in choices.choices)}."
            )
        values[key] = code
    for key in RATING_FIELDS:
        axis = key.split("_")[1]
        if raw.get(key) in (None, ""):
            values[key] = None
            continue
        found, level = _mapped(chosen, key, raw[key])
        if found:
            values[key] = level  # None: the user chose to leave this value unrated
            continue
        values[key] = _rating(raw[key], matrix, axis)
        if values[key] is None:
            row.problem(key, f"“{_text(raw[key])}” is not a {axis} on this matrix. {_axis_hint(matrix, axis)}")
    for key in ("owner", "mitigation_owner"):
        name = _text(raw.get(key)).lower()
        values[key] = members.get(name) if name else None
        if name and values[key] is None:
            row.problem(key, f"“{_text(raw[key])}” is not a member of this project (use a username or e-mail).")
    due = raw.get("mitigation_due_date")
    values["mitigation_due_date"] = _date(due) if due not in (None, "") else None
    if due not in (None, "") and values["mitigation_due_date"] is None:
        row.problem("mitigation_due_date", f"“{_text(due)}” is not a date (use 2026-03-31 or 31/03/2026).")
    values["consequences"] = [line for line in LINE_SPLIT.split(_text(raw.get("consequences"))) if line]
    # A control listed both as existing and as additional is one mitigation, and it is in place.
    values["existing_controls"] = list_items(_text(raw.get("existing_controls")))
    values["mitigations"] = [
        c for c in list_items(_text(raw.get("mitigations"))) if c not in values["existing_controls"]
    ]
    if (
        values["consequences"]
        and values.get("inherent_severity") is None
        and raw.get("inherent_severity") in (None, "")
    ):
        row.problem("consequences", "Consequences are rated with the row's inherent severity; fill it in.")
    if values["ticket_key"] and len(values["mitigations"]) + len(values["existing_controls"]) != 1:
        row.problem("ticket_key", "A ticket key needs exactly one mitigation in the same row.")
