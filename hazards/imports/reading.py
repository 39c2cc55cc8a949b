"""Reading an uploaded file into rows, safely: size, type and row limits, no formulas, macros or links.

Nothing in an upload is ever executed or evaluated: XLSX is read with openpyxl in read-only mode with
cached values only (a formula's text is never imported, its last computed value is), VBA is ignored,
CSV is decoded as text and JSON parsed as data. An XLSX is a zip, so its declared unpacked size is
checked before opening it (a small file must not unpack to gigabytes).
"""

import csv
import datetime
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from hazards.imports import mapping

XLSX_MAGIC = b"PK\x03\x04"
# An XLSX may unpack to this many times the upload limit (shared strings compress very well).
MAX_UNPACK_RATIO = 20
EXTENSIONS = {"xlsx": "xlsx", "csv": "csv", "txt": "csv", "json": "json"}
# What registers write for "nothing here"; such cells read as empty, as a blank cell does.
BLANK_TOKENS = frozenset({"-", "--", "---", "—", "–", "n/a", "n.a.", "na", "none", "null", "nil", "néant", "aucun"})
# The header row is looked for among the first rows (a title, notes or merged group headers may come first).
HEADER_SEARCH_ROWS = 12


class UploadRejected(ValueError):
    """The file cannot be imported at all; the message says why and what to do."""


@dataclass
class Table:
    """A spreadsheet as header names and data rows, each row with its number in the sheet."""

    headers: list[str]
    rows: list[tuple[int, list[Any]]]
    sheet: str = ""
    warnings: list[str] = field(default_factory=list)
    header_row: int = 1  # its number in the sheet
    # The first rows of the sheet as text, so the user can see and pick the header row.
    top: list[tuple[int, list[str]]] = field(default_factory=list)


def detect_source(name: str, head: bytes) -> str:
    """xlsx, csv or json from the file name, checked against the first bytes."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    source = EXTENSIONS.get(extension)
    if source is None:
        raise UploadRejected(
            f"“{name}” is not a file Hazlog can import. Upload an Excel workbook (.xlsx), a CSV file (.csv) "
            "or a Hazlog JSON export (.json)."
        )
    if source == "xlsx" and not head.startswith(XLSX_MAGIC):
        raise UploadRejected(f"“{name}” is not a valid .xlsx workbook (old .xls files must be saved as .xlsx).")
    if source != "xlsx" and head.startswith(XLSX_MAGIC):
        raise UploadRejected(f"“{name}” looks like a workbook or a zip, not a text file; rename it or export CSV.")
    return source


def check_size(size: int) -> None:
    limit = settings.UPLOAD_MAX_BYTES
    if size > limit:
        raise UploadRejected(
            f"The file is {size / 1_048_576:.1f} MiB; uploads are limited to {limit / 1_048_576:.1f} MiB. "
            "Split the register or remove embedded images."
        )
    if size == 0:
        raise UploadRejected("The file is empty.")


def _max_rows() -> int:
    return settings.HAZLOG_IMPORT_MAX_ROWS


def _too_many(count: int) -> UploadRejected:
    return UploadRejected(
        f"The file has more than {_max_rows():,} data rows; imports are limited to {_max_rows():,} rows at a time. "
        "Split it into several files."
    )


def _clean_cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return None if not value or value.casefold() in BLANK_TOKENS else value
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time.min else value
    return value


def _header_score(cells: list[Any]) -> tuple[int, int]:
    """How much a row looks like the header: the columns it names that Hazlog knows, then its text cells."""
    texts = [str(c) for c in cells if isinstance(c, str)]
    return sum(1 for text in texts if mapping.field_for(text)), len(texts)


def _group_headers(above: list[Any], headers: list[str]) -> list[str]:
    """Headers under a merged group row ("Inherent risk" over Likelihood | Impact): repeated names get the
    group in front, so "Likelihood" under "Residual" becomes "Residual Likelihood"."""
    folded = [name.casefold() for name in headers if name]
    repeated = {name for name in folded if folded.count(name) > 1}
    if not repeated:
        return headers
    named, group = [], ""
    for i, name in enumerate(headers):
        cell = above[i] if i < len(above) else None
        group = str(cell) if cell is not None else group  # a merged cell holds its text in its first column
        named.append(f"{group} {name}" if name.casefold() in repeated and group else name)
    return named


def _table(rows_iter, sheet: str = "", header_row: int | None = None) -> Table:
    """Rows after the header row: the one chosen, or else the best-looking of the first rows."""
    top: list[tuple[int, list[Any]]] = []
    rows_iter = iter(rows_iter)
    for number, raw in enumerate(rows_iter, start=1):
        top.append((number, [_clean_cell(v) for v in raw]))
        if number >= max(HEADER_SEARCH_ROWS, header_row or 0):
            break
    candidates = [(number, cells) for number, cells in top if any(c is not None for c in cells)]
    if header_row is not None:
        candidates = [(number, cells) for number, cells in candidates if number == header_row]
        if not candidates:
            raise UploadRejected(f"Row {header_row} is empty or beyond the first rows; choose another header row.")
    if not candidates:
        raise UploadRejected("The file has no header row: one of the first rows must name the columns.")
    # max() keeps the first of equals: the header is the earliest row that looks most like one.
    header_number, header_cells = max(candidates, key=lambda item: _header_score(item[1]))
    headers = [str(c) if c is not None else "" for c in header_cells]
    above = next((cells for number, cells in top if number == header_number - 1), [])
    headers = _group_headers(above, headers)
    rows: list[tuple[int, list[Any]]] = []
    later = ((number, [_clean_cell(v) for v in raw]) for number, raw in enumerate(rows_iter, start=len(top) + 1))
    for number, cells in [*((n, c) for n, c in top if n > header_number), *later]:
        if not any(c is not None for c in cells):
            continue  # blank rows between entries are common; skip them silently
        if len(rows) >= _max_rows():
            raise _too_many(len(rows))
        # Each row keeps its number in the sheet, so the report points at the right line.
        rows.append((number, cells + [None] * (len(headers) - len(cells))))
    shown = [
        (number, ["" if c is None else str(c) for c in cells])
        for number, cells in top[:HEADER_SEARCH_ROWS]
        if any(c is not None for c in cells)
    ]
    return Table(headers=headers, rows=rows, sheet=sheet, header_row=header_number, top=shown)


def read_csv(data: bytes, header_row: int | None = None) -> Table:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise UploadRejected("The CSV file is not UTF-8 or Windows-1252 text.")
    if "\x00" in text:
        raise UploadRejected("The CSV file contains binary data; export it from your spreadsheet again as CSV.")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return _table(csv.reader(io.StringIO(text, newline=""), dialect), header_row=header_row)


def read_xlsx(data: bytes, header_row: int | None = None) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            has_macros = any(info.filename.lower().endswith("vbaproject.bin") for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadRejected("The workbook is damaged or not an .xlsx file.") from None
    if unpacked > MAX_UNPACK_RATIO * settings.UPLOAD_MAX_BYTES:
        raise UploadRejected("The workbook unpacks to far more data than its size suggests; it was not opened.")
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_vba=False, keep_links=False
        )
    except Exception as exc:  # openpyxl raises many types for malformed files
        raise UploadRejected(f"The workbook could not be read ({exc.__class__.__name__}).") from None
    try:
        names = workbook.sheetnames
        sheet = workbook["Register"] if "Register" in names else workbook[names[0]]
        table = _table(sheet.iter_rows(values_only=True), sheet=sheet.title, header_row=header_row)
    finally:
        workbook.close()
    if has_macros:
        table.warnings.append("The workbook contains macros; they were ignored.")
    if len(names) > 1:
        table.warnings.append(f"Only the sheet “{table.sheet}” was read.")
    return table


def read_table(source: str, data: bytes, header_row: int | None = None) -> Table:
    """The table of a spreadsheet; `header_row` (its number in the sheet) overrides the one found."""
    return read_xlsx(data, header_row) if source == "xlsx" else read_csv(data, header_row)


def read_json(data: bytes) -> dict:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UploadRejected(f"The file is not valid JSON ({exc}).") from None
    if not isinstance(document, dict) or not str(document.get("schema", "")).startswith("hazlog.export/"):
        raise UploadRejected("This JSON file is not a Hazlog export (its “schema” must be hazlog.export/1).")
    if document["schema"] != "hazlog.export/1":
        raise UploadRejected(f"This export uses {document['schema']}, which this version of Hazlog cannot read.")
    scenarios = document.get("scenarios")
    if not isinstance(scenarios, list) or len(scenarios) > _max_rows():
        if isinstance(scenarios, list):
            raise _too_many(len(scenarios))
        raise UploadRejected("The export has no list of scenarios.")
    return document
