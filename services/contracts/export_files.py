"""A campaign's export written as CSV or XLSX, row by row (flat memory whatever the campaign's size).

CSV as French spreadsheets open it: UTF-8 with a byte order mark, « ; » between cells, decimal commas, dates
JJ/MM/AAAA and moments in Paris time. XLSX by openpyxl in write-only mode (rows go to a temporary file as they
come; numbers and dates are typed cells). In both, a text a spreadsheet would run as a formula (=, +, -, @…) is
kept as text: a CSV cell gets a leading apostrophe, an XLSX cell is typed as a string."""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ecars_common.french import PARIS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 256 * 1024
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS).replace(tzinfo=None) if moment.tzinfo else moment


def csv_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "Oui" if cell else "Non"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        return f"{cell:g}".replace(".", ",")
    if isinstance(cell, datetime):
        return paris(cell).strftime("%d/%m/%Y %H:%M")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_text(cell) for cell in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_cell(sheet, cell):
    if isinstance(cell, datetime):
        out = WriteOnlyCell(sheet, paris(cell))
        out.number_format = "dd/mm/yyyy hh:mm"
        return out
    if isinstance(cell, date):
        out = WriteOnlyCell(sheet, cell)
        out.number_format = "dd/mm/yyyy"
        return out
    if isinstance(cell, str):
        out = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("\ufffd", cell))
        out.data_type = "s"  # never a formula
        return out
    return cell


def xlsx_chunks(header: list[str], rows: Iterable[list], title: str = "Export") -> Iterator[bytes]:
    """The workbook built row by row into a temporary file, then read back in chunks."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"  # the header stays in view (set before any row: write-only)
    bold = Font(bold=True)
    heads = []
    for name in header:
        cell = WriteOnlyCell(sheet, name)
        cell.font, cell.data_type = bold, "s"
        heads.append(cell)
    sheet.append(heads)
    for row in rows:
        sheet.append([xlsx_cell(sheet, cell) for cell in row])
    with tempfile.TemporaryFile(suffix=".xlsx") as file:
        book.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK):
            yield chunk
