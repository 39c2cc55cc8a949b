"""Joins the PDF report's parts into one file with pypdf and writes the running title and "Page n" at the foot.

The parts are laid out at the same time in separate processes, so none of them knows on which page it
starts: the page numbers are added here, once the order is known, as one short text object per page in a
standard PDF font (Helvetica: nothing embedded). The running title is laid out once by WeasyPrint, on a
page of its own, and drawn here on every page but the cover as one form XObject that all pages share:
a margin box on every page of every part cost about 8 % of its CPU, and any text the title holds
keeps the report's font. This appends to each page's content streams rather than merging pages, which
would parse them all.
"""

from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

FONT = NameObject("/HazlogPageNumber")
TITLE = NameObject("/HazlogRunningTitle")
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


def _foot(writer: PdfWriter, number: int):
    text = f"Page {number}"
    width = sum(WIDTHS[char] for char in text) * SIZE / 1000
    # "Q" first: the page's own streams run inside "q ... Q", so these coordinates are the page's own,
    # whatever transformation WeasyPrint left in place. The cover shows no running title.
    running_title = f"q {TITLE} Do Q " if number > 1 else ""
    return _stream(
        writer,
        f"Q {running_title}q {GREY} g BT {FONT} {SIZE} Tf {RIGHT - width:.2f} {BASELINE} Td ({text}) Tj ET Q".encode(
            "ascii"
        ),
    )


def _form(writer: PdfWriter, file: Path):
    """The first page of `file` as a form XObject: its content stream drawn wherever the form is used."""
    page = PdfReader(file).pages[0]
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(page.mediabox),
            NameObject("/Resources"): page["/Resources"].get_object().clone(writer),
        }
    )
    return writer._add_object(form)


def join(files: list[Path], out: Path, *, running_title: Path, title: str) -> int:
    """Write the parts' pages in order to `out`, numbered from 1, with the running title (the first page of
    `running_title`, a page that shows nothing else) on every page but the first; returns the number of pages.
    """
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
    form = _form(writer, running_title)
    save = _stream(writer, b"q")
    for number, page in enumerate(writer.pages, start=1):
        contents = page.get("/Contents")
        if contents is None:
            existing = []
        elif isinstance(contents.get_object(), ArrayObject):
            existing = list(contents.get_object())
        else:
            existing = [contents]
        page[NameObject("/Contents")] = ArrayObject([save, *existing, _foot(writer, number)])
        resources = page.get("/Resources")
        if resources is None:
            resources = page[NameObject("/Resources")] = DictionaryObject()
        resources = resources.get_object()
        if "/Font" not in resources:
            resources[NameObject("/Font")] = DictionaryObject()
        resources["/Font"].get_object()[FONT] = font
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        resources["/XObject"].get_object()[TITLE] = form
    writer.add_metadata({"/Title": title, "/Creator": "Hazlog"})
    with out.open("wb") as handle:
        writer.write(handle)
    return len(writer.pages)
