"""Joins the PDF report's parts into one file with pypdf and writes "Page n" at the foot of every page.

The parts are laid out at the same time in separate processes, so none of them knows on which page it
starts: WeasyPrint writes each page's running title, and the page numbers are added here, once the
order is known, as one short text object per page in a standard PDF font (Helvetica: nothing embedded).
This appends to each page's content streams rather than merging pages, which would parse them all.
"""

from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

FONT = NameObject("/HazlogPageNumber")
SIZE = 7  # pt, as the running title
GREY = 0.333  # #555, as the running title
RIGHT = 595.28 - 42.52  # A4 width minus the 15 mm right margin, in pt
BASELINE = 23.1  # pt from the bottom: the running title's baseline, centred in the 18 mm bottom margin
# Helvetica advance widths (1/1000 em) of the characters written: all digits are 556.
WIDTHS = {"P": 667, "a": 556, "g": 556, "e": 556, " ": 278, **dict.fromkeys("0123456789", 556)}


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _number(writer: PdfWriter, number: int):
    text = f"Page {number}"
    width = sum(WIDTHS[char] for char in text) * SIZE / 1000
    # "Q" first: the page's own streams run inside "q ... Q", so these coordinates are the page's own,
    # whatever transformation WeasyPrint left in place.
    return _stream(
        writer,
        f"Q q {GREY} g BT {FONT} {SIZE} Tf {RIGHT - width:.2f} {BASELINE} Td ({text}) Tj ET Q".encode("ascii"),
    )


def join(files: list[Path], out: Path, *, title: str) -> int:
    """Write the parts' pages in order to `out`, numbered from 1; returns the number of pages."""
    writer = PdfWriter()
    for file in files:
        writer.append(str(file), import_outline=False)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    save = _stream(writer, b"q")
    for number, page in enumerate(writer.pages, start=1):
        contents = page.get("/Contents")
        if contents is None:
            existing = []
        elif isinstance(contents.get_object(), ArrayObject):
            existing = list(contents.get_object())
        else:
            existing = [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *existing, _number(writer, number)])
        resources = page.get("/Resources")
        if resources is None:
            resources = page[NameObject("/Resources")] = DictionaryObject()
        resources = resources.get_object()
        if "/Font" not in resources:
            resources[NameObject("/Font")] = DictionaryObject()
        resources["/Font"].get_object()[FONT] = font
    writer.add_metadata({"/Title": title, "/Creator": "Hazlog"})
    with out.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)
