"""The XLSX export: one sheet per table, frozen headers, filters and risk levels in the matrix's colours.

XlsxWriter in constant_memory mode flushes each row to disk once the next one starts, so memory stays
flat at any register size; rows are therefore written strictly top to bottom.
"""

from collections.abc import Callable, Iterator
from pathlib import Path

import xlsxwriter

from assessments.exports import attachments, evidence, to_csv
from assessments.exports.labels import label, level_colours, level_name
from hazards import scoring

EXTENSION = "xlsx"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ACCEPTANCE_HEADER = ["Scenario", "Accepted by", "Rationale", "Conditions", "Expires on"]
SIGNOFF_HEADER = ["Approver", "Approved at", "Content hash (SHA-256)", "Comment"]
# Register columns holding a risk level: coloured with that level's colours.
REGISTER_LEVEL_COLUMNS = (8, 11)
WIDTHS = {"Ref": 8, "Title": 40, "Description": 50, "Causes": 40, "Rationale": 40, "Scenario": 10}


class _Sheets:
    def __init__(self, workbook, matrix: dict):
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "bg_color": "#e8eaed", "bottom": 1, "text_wrap": True})
        self.text = workbook.add_format({"valign": "top"})
        self.levels = {
            level["key"]: workbook.add_format(
                {
                    "bg_color": level["colour"],
                    "font_color": level["text_colour"],
                    "bold": True,
                    "valign": "top",
                }
            )
            for level in level_colours(matrix)
        }
        self.level_by_name = {level["name"]: level["key"] for level in matrix["levels"]}

    def table(self, name: str, header: list[str], rows: Iterator[list], level_columns=()) -> int:
        sheet = self.workbook.add_worksheet(name)
        for col, title in enumerate(header):
            sheet.set_column(col, col, WIDTHS.get(title, 16))
            sheet.write_string(0, col, title, self.header)
        sheet.freeze_panes(1, 0)
        # The undecorated writers: the public ones only add A1-notation parsing, a third of the time per
        # cell in a sheet of 100,000 cells.
        write_string, write_number = sheet._write_string, sheet._write_number
        text, levels, level_by_name = self.text, self.levels, self.level_by_name
        count = 0
        for count, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue  # an empty cell needs no element: nothing to show, nothing to align
                # Strings are always written as strings: a cell starting with "=" stays text, never a formula.
                if isinstance(value, str):
                    if col in level_columns and value in level_by_name:
                        write_string(count, col, value, levels[level_by_name[value]])
                    else:
                        write_string(count, col, value, text)
                elif isinstance(value, bool | int | float):
                    write_number(count, col, value, text)
                else:
                    write_string(count, col, str(value), text)
        sheet.autofilter(0, 0, max(count, 1), len(header) - 1)
        return count


def _context_rows(document: dict) -> Iterator[list]:
    a = document["assessment"]
    yield ["Project", document["project"]["name"]]
    yield ["Assessment", a["title"]]
    yield ["Revision", a["revision"]]
    yield ["Status", label("status", a["status"])]
    yield ["Model", a["model_name"]]
    yield ["Model version", a["model_version"]]
    yield ["Deployment channel", label("deployment_channel", a["deployment_channel"])]
    yield ["User population", a["user_population"]]
    yield ["Application domain", a["application_domain"]]
    yield ["Scope", a["scope"]]
    yield ["Due date", a["due_date"]]
    yield ["Next review", a["next_review_date"]]
    yield ["Risk matrix", document["matrix"]["name"]]
    yield ["Content", "as signed (approved snapshot)" if document["source"] == "snapshot" else "live register"]
    yield ["Content hash (SHA-256)", document["content_hash"]]
    yield ["Exported at", document["exported_at"]]


def _matrix_rows(document: dict) -> Iterator[list]:
    matrix = document["matrix"]
    for severity in range(len(matrix["severity"]), 0, -1):
        yield [
            scoring.axis_name(matrix, "severity", severity),
            *(level_name(matrix, key) for key in matrix["grid"][severity - 1]),
        ]


def _acceptance_rows(document: dict) -> Iterator[list]:
    for s in document["scenarios"]:
        for a in s["acceptances"]:
            yield [s["ref"], a["accepted_by"], a["rationale"], a["conditions"], a["expires_on"]]


def _signoff_rows(document: dict) -> Iterator[list]:
    for a in document["approvals"]:
        yield [a["approver"], a["approved_at"], a["content_hash"], a["comment"]]


def _evidence_sheet(workbook, sheets: "_Sheets", entries: list[dict]) -> None:
    """The cited runs' figures per level, with a native chart of pass@1 per level (one series per run)."""
    sheets.table("Evidence", evidence.LEVEL_HEADER, evidence.level_rows(entries))
    chart = workbook.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
    first = 1
    for e in entries:
        count = len(e["summary"].get("levels", []))
        if not count:
            continue
        last = first + count - 1
        chart.add_series(
            {
                "name": f"{e['run_ref']} {e['model_name']} {e['model_version']}".strip(),
                "categories": ["Evidence", first, 7, last, 7],
                "values": ["Evidence", first, 10, last, 10],
            }
        )
        first = last + 1
    chart.set_title({"name": "pass@1 by level"})
    chart.set_x_axis({"name": "Level"})
    chart.set_y_axis({"name": "pass@1", "min": 0, "max": 1, "num_format": "0%"})
    workbook.get_worksheet_by_name("Evidence").insert_chart(1, len(evidence.LEVEL_HEADER) + 1, chart)


def write(document: dict, path: Path, progress: Callable[[int], None]) -> None:
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheets = _Sheets(workbook, document["matrix"])
    sheets.table("Assessment", ["Field", "Value"], _context_rows(document))
    sheets.table("Register", to_csv.REGISTER_HEADER, to_csv.register_rows(document), REGISTER_LEVEL_COLUMNS)
    progress(40)
    sheets.table("Consequences", to_csv.CONSEQUENCE_HEADER, to_csv.consequence_rows(document))
    progress(60)
    sheets.table("Mitigations", to_csv.MITIGATION_HEADER, to_csv.mitigation_rows(document))
    progress(80)
    sheets.table("Acceptances", ACCEPTANCE_HEADER, _acceptance_rows(document))
    sheets.table("Sign-off", SIGNOFF_HEADER, _signoff_rows(document))
    if document.get("evidence"):
        _evidence_sheet(workbook, sheets, document["evidence"])
    if document.get("attachments"):
        sheets.table("Evidence files", attachments.HEADER, iter(attachments.rows(document["attachments"])))
    likelihoods = [
        scoring.axis_name(document["matrix"], "likelihood", v)
        for v in range(1, 1 + len(document["matrix"]["likelihood"]))
    ]
    sheets.table("Matrix", ["Severity \\ likelihood", *likelihoods], _matrix_rows(document), range(1, 11))
    workbook.close()
    progress(100)
