"""A table written as CSV or XLSX row by row and streamed as it is written (flat memory whatever its size): the
exports for analysts of the contracts service (a campaign) and of the cpom service (a territory's CPOM grids).

Cells are typed values: None (empty), bool, int, float, Decimal, date, datetime (an aware one shown in Paris time),
or text.
- CSV as French spreadsheets open it: UTF-8 with a byte order mark, « ; » between cells, decimal commas, dates
  JJ/MM/AAAA and moments in Paris time.
- XLSX (SpreadsheetML) written here rather than by openpyxl: openpyxl's write-only mode cost ~25 µs a cell (a cell
  object, its style, lxml) and sends nothing before the whole workbook is saved; this writer formats each row as
  XML text (repeated texts escaped once), deflates it into a ZIP written to an unseekable stream, and yields the
  bytes as they come — the first ones at once, so no read timeout waits on a big export (bench/README.md). Typed
  cells (numbers, dates shown JJ/MM/AAAA, moments JJ/MM/AAAA hh:mm), inline strings (no shared-string table held in
  memory), header row bold and frozen; past Excel's 1,048,576 rows a sheet is continued on « Titre (2) »…
In both, a text a spreadsheet would run as a formula (=, +, -, @…) is kept as text: a CSV cell gets a leading
apostrophe, an XLSX cell is typed as a string."""

import csv
import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from ecars_common.french import PARIS
from ecars_common.zip_stream import Sink

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 256 * 1024
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 1_048_576  # Excel's rows per sheet, the header included
MAX_TEXT = 32_767  # Excel's characters per cell
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
SHEET_NAME_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS).replace(tzinfo=None) if moment.tzinfo else moment


# -- CSV ------------------------------------------------------------------------------------------

def csv_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "Oui" if cell else "Non"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float | Decimal):
        return f"{cell:g}".replace(".", ",") if isinstance(cell, float) else str(cell).replace(".", ",")
    if isinstance(cell, datetime):
        return paris(cell).strftime("%d/%m/%Y %H:%M")
    if isinstance(cell, date):
        return cell.strftime("%d/%m/%Y")
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_chunks(header: list[str], rows: Iterable[list], title: str = "") -> Iterator[bytes]:
    """The file, chunk by chunk; `title` (the XLSX writer's sheet name) has no place in a CSV."""
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


# -- XLSX -----------------------------------------------------------------------------------------

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
DATE, MOMENT, BOLD = 1, 2, 3  # the cell styles of STYLES
STYLES = (HEAD + f'<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
          '<numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/></numFmts><fonts count="2"><font><sz val="11"/>'
          '<name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2">'
          '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
          '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
          '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
          '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
SHEET_START = (HEAD + f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}"><sheetViews><sheetView workbookViewId="0">'
               '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
               '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
               '<sheetFormatPr defaultRowHeight="15"/><sheetData>')
SHEET_END = "</sheetData></worksheet>"
ROOT_RELS = (HEAD + f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
             'Target="xl/workbook.xml"/></Relationships>')
EPOCH = datetime(1899, 12, 30)
EPOCH_DAY = EPOCH.toordinal()


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@lru_cache(maxsize=8192)
def text_cell(text: str, style: int = 0) -> str:
    """A text cell's XML after its reference (texts repeat: the indicator's label on every row)."""
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1] + "…"
    text = ILLEGAL.sub("\ufffd", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    styled = f' s="{style}"' if style else ""
    return f'{styled} t="inlineStr"><is><t{space}>{escape(text).replace(chr(13), "&#13;")}</t></is></c>'


def cell_xml(cell) -> str:
    """Everything of a cell after `<c r="A1"`; "" for an empty one."""
    kind = type(cell)
    if kind is str:
        return text_cell(cell)
    if cell is None:
        return ""
    if kind is bool:
        return f' t="b"><v>{int(cell)}</v></c>'
    if kind is int or (isinstance(cell, float | Decimal) and math.isfinite(cell)):
        return f"><v>{cell}</v></c>"
    if kind is datetime:
        return f' s="{MOMENT}"><v>{(paris(cell) - EPOCH).total_seconds() / 86400!r}</v></c>'
    if kind is date:
        return f' s="{DATE}"><v>{cell.toordinal() - EPOCH_DAY}</v></c>'
    return text_cell(str(cell))


class Columns:
    """The columns' letters, made as rows need them."""

    def __init__(self):
        self.letters: list[str] = []

    def __call__(self, count: int) -> list[str]:
        while len(self.letters) < count:
            self.letters.append(column_letters(len(self.letters)))
        return self.letters


def row_xml(number: int, cells: list, letters: list[str], style: int = 0) -> str:
    parts = [f'<row r="{number}">']
    for letter, cell in zip(letters, cells, strict=False):
        xml = text_cell(cell, style) if style else cell_xml(cell)
        if xml:
            parts.append(f'<c r="{letter}{number}"{xml}')
    parts.append("</row>")
    return "".join(parts)


def sheet_title(title: str, number: int) -> str:
    title = SHEET_NAME_UNSAFE.sub("_", title).strip("'") or "Feuille"
    return title[:31] if number == 1 else f"{title[:25]} ({number})"


def package(titles: list[str]) -> dict[str, str]:
    """The parts naming the sheets, written once every sheet is."""
    sheets = "".join(f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
                     for n, name in enumerate(titles, 1))
    relations = "".join(f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                        for n in range(1, len(titles) + 1))
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                        for n in range(1, len(titles) + 1))
    return {
        "xl/workbook.xml": HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView/></bookViews>'
                                  f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": HEAD + f'<Relationships xmlns="{PACKAGE_RELS}">{relations}<Relationship '
                                             f'Id="rId{len(titles) + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
                                             "</Relationships>",
        "xl/styles.xml": STYLES,
        "_rels/.rels": ROOT_RELS,
        "[Content_Types].xml": HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                                      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                                      'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                                      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxml'
                                      'formats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
                                      '"/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                                      f'spreadsheetml.styles+xml"/>{overrides}</Types>',
    }


def xlsx_chunks(header: list[str], rows: Iterable[list], title: str = "Export",
                max_rows: int = MAX_ROWS) -> Iterator[bytes]:
    """The workbook, chunk by chunk as it is written: sheets of at most `max_rows` rows, each headed by `header`."""
    sink, columns = Sink(), Columns()
    titles: list[str] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        rows = iter(rows)
        first = next(rows, None)
        while not titles or first is not None:
            titles.append(sheet_title(title, len(titles) + 1))
            with archive.open(f"xl/worksheets/sheet{len(titles)}.xml", "w") as sheet:
                pending = [SHEET_START, row_xml(1, header, columns(len(header)), BOLD)]
                size, number = 0, 1
                while first is not None and number < max_rows:
                    number += 1
                    xml = row_xml(number, first, columns(len(first)))
                    pending.append(xml)
                    size += len(xml)
                    if size >= CHUNK:
                        sheet.write("".join(pending).encode())
                        pending, size = [], 0
                        if sink.pending:
                            yield sink.take()
                    first = next(rows, None)
                pending.append(SHEET_END)
                sheet.write("".join(pending).encode())
        for name, text in package(titles).items():
            archive.writestr(name, text)
    yield sink.take()
