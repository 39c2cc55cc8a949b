"""The CSV export: a zip of register.csv, consequences.csv and mitigations.csv (and attachments.csv when there
is evidence), one row per record."""

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

from assessments.exports import attachments
from assessments.exports.labels import label, level_name, mitigations_by_scenario

EXTENSION = "zip"
CONTENT_TYPE = "application/zip"
# A spreadsheet would run a cell starting with one of these as a formula (CSV injection); a leading
# apostrophe makes it text again and is what spreadsheet users expect to see.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

REGISTER_HEADER = [
    "Ref",
    "Title",
    "Category",
    "Description",
    "Causes",
    "Affected parties",
    "Inherent likelihood",
    "Inherent severity",
    "Inherent risk",
    "Residual likelihood",
    "Residual severity",
    "Residual risk",
    "Treatment",
    "Owner",
    "Mitigations",
    "Template",
]
CONSEQUENCE_HEADER = ["Scenario", "Description", "Harm type", "Affected party", "Severity"]
MITIGATION_HEADER = [
    "Ref",
    "Title",
    "Description",
    "Kind",
    "Scenarios",
    "Status",
    "Owner",
    "Due date",
    "Verification note",
    "Ticket system",
    "Ticket key",
    "Ticket URL",
]


def safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def register_rows(document: dict) -> Iterator[list]:
    matrix = document["matrix"]
    addressed = mitigations_by_scenario(document)
    for s in document["scenarios"]:
        yield [
            s["ref"],
            s["title"],
            label("category", s["category"]),
            s["description"],
            s["causes"],
            s["affected_parties"],
            s["inherent"]["likelihood"],
            s["inherent"]["severity"],
            level_name(matrix, s["inherent"]["level"]),
            s["residual"]["likelihood"],
            s["residual"]["severity"],
            level_name(matrix, s["residual"]["level"]),
            label("treatment", s["treatment"]),
            s["owner"],
            ", ".join(addressed.get(s["ref"], [])),
            s["template"],
        ]


def consequence_rows(document: dict) -> Iterator[list]:
    for s in document["scenarios"]:
        for c in s["consequences"]:
            yield [
                s["ref"],
                c["description"],
                label("harm_type", c["harm_type"]),
                label("affected_party", c["affected_party"]),
                c["severity"],
            ]


def mitigation_rows(document: dict) -> Iterator[list]:
    for m in document["mitigations"]:
        yield [
            m["ref"],
            m["title"],
            m["description"],
            label("kind", m["kind"]),
            ", ".join(m["scenarios"]),
            label("mitigation_status", m["status"]),
            m["owner"],
            m["due_date"],
            m["verification_note"],
            m["external"]["system"],
            m["external"]["key"],
            m["external"]["url"],
        ]


def _csv_member(archive: zipfile.ZipFile, name: str, header: list[str], rows: Iterator[list]) -> None:
    # Written straight into the zip entry: memory stays flat however many rows there are.
    with archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow([safe(cell) for cell in row])


def write(document: dict, path: Path, progress: Callable[[int], None]) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _csv_member(archive, "register.csv", REGISTER_HEADER, register_rows(document))
        progress(40)
        _csv_member(archive, "consequences.csv", CONSEQUENCE_HEADER, consequence_rows(document))
        progress(70)
        _csv_member(archive, "mitigations.csv", MITIGATION_HEADER, mitigation_rows(document))
        if document.get("attachments"):
            _csv_member(
                archive, "attachments.csv", attachments.HEADER, iter(attachments.rows(document["attachments"]))
            )
    progress(100)
