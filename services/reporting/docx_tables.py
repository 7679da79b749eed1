"""Tables of the Word documents, built as WordprocessingML directly, with columns fitted to their content.

`table.add_row().cells[i].text = …` re-walks the table's XML for every cell, which makes big tables
quadratic; rows written as XML text, parsed once and appended, are linear (and an lxml parse is several times
faster than building the same elements one by one with OxmlElement). The output is the markup python-docx writes
(w:tr / w:tc / w:p / w:r / w:t). Widths are written twice, as Word and LibreOffice each read one of them:
the grid (w:gridCol, LibreOffice) and every cell's w:tcW (Word); the layout is fixed, so neither client
re-spreads the columns evenly."""

from collections.abc import Sequence
from xml.sax.saxutils import escape

from docx.document import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.table import Table

HEADER_FILL, HEADER_TEXT, LABEL_FILL = "000091", "FFFFFF", "ECECFE"  # DSFR bleu France, white, bleu France 975
CELL_PADDING = 240  # Table Grid's cell margins, 0.19 cm each side, and a little air
WORD_CAP, LINE_CAP = 2400, 4800  # twips (~25 and ~50 letters): a longer word may break (a hash), a longer line wraps


def _cell(text, width: int, fill: str | None = None, bold: bool = False, color: str | None = None) -> str:
    shading = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    looks = ("<w:b/>" if bold else "") + (f'<w:color w:val="{color}"/>' if color else "")
    looks = f"<w:rPr>{looks}</w:rPr>" if looks else ""
    paragraphs = "".join(f'<w:p><w:r>{looks}<w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' if line
                         else "<w:p/>" for line in (str(text).split("\n") if text not in (None, "") else [""]))
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shading}</w:tcPr>{paragraphs}</w:tc>'


def _row(cells: str, header: bool = False) -> str:
    """A row kept on one page (w:cantSplit: a row taller than a page still breaks); the header row also
    repeated at the top of each page (w:tblHeader: Word and LibreOffice repeat the leading rows that carry it)."""
    return f'<w:tr><w:trPr><w:cantSplit/>{"<w:tblHeader/>" if header else ""}</w:trPr>{cells}</w:tr>'


def _append_rows(table: Table, rows: list[str]) -> None:
    """The rows' XML parsed at once (one lxml parse instead of an element built per cell, run and text) and
    moved into the table."""
    parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    table._tbl.extend(list(parsed))


def printed_width(text: str) -> int:
    """About how wide `text` prints in Arial 9 pt, in twips: its glyphs' advance widths (Arial's metrics, in
    thousandths of an em of 180 twips) are ~0.5 em for a lower-case letter, 0.556 for a digit, ~0.68 for a capital,
    0.278 for a space; a few per cent more for safety."""
    capitals = sum(map(str.isupper, text))
    digits = sum(map(str.isdigit, text))
    spaces = text.count(" ")
    return (len(text) * 94) + capitals * 32 + digits * 10 - spaces * 44


def _widest(texts) -> tuple[int, int]:
    """The printed width of the widest line and of the widest word among `texts` (cells, maybe multi-line)."""
    line_width = word_width = 0
    for text in texts:
        for line in str(text).split("\n") if text else ():
            width = printed_width(line)
            line_width = max(line_width, width)
            if width > word_width:  # only then can one of its words be wider
                word_width = max(word_width, max((printed_width(w) for w in line.split()), default=0))
    return line_width, word_width


def fitted_widths(headers: Sequence[str], rows: Sequence[Sequence], total: int) -> list[int]:
    """Column widths (twips) summing to `total`. Each column wants its widest line (up to LINE_CAP) and needs
    its widest word (up to WORD_CAP: no word is cut). When not every column can have what it wants, they share
    the width like water poured in: the columns that want less than the level get all they want (a short value
    never wraps), the long ones are cut to the same level, never below what they need."""
    need, want = [], []
    for header, column in zip(headers, zip(*rows, strict=True) if rows else [()] * len(headers), strict=True):
        line, word = _widest(set(column))  # a big table repeats its objectives and indicators on many rows
        header_line, header_word = _widest([header])
        line, word = max(line, header_line * 11 // 10), max(word, header_word * 11 // 10)  # titles are bold
        need.append(min(word, WORD_CAP) + CELL_PADDING)
        want.append(max(need[-1], min(line, LINE_CAP) + CELL_PADDING))
    if sum(need) >= total:
        widths = [n * total // sum(need) for n in need]
    elif sum(want) <= total:  # everything fits on one line: the spare width in proportion
        widths = [w * total // sum(want) for w in want]
    else:
        low, high = 0, max(want)  # the level: the widest a column may be
        while high - low > 1:
            level = (low + high) // 2
            low, high = (level, high) if sum(max(n, min(w, level)) for n, w in zip(need, want, strict=True)) <= total \
                else (low, level)
        widths = [max(n, min(w, low)) for n, w in zip(need, want, strict=True)]
    widths[-1] += total - sum(widths)
    return widths


def _table(document: Document, widths: Sequence[int]) -> Table:
    table = document.add_table(rows=0, cols=len(widths))
    table.style = "Table Grid"
    table.autofit = False
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(widths)))
    for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        column.set(qn("w:w"), str(width))
    return table


def add_table(document: Document, headers: Sequence[str], rows: Sequence[Sequence], total_width: int) -> Table:
    """A table of `rows` (sequences of cell texts) under a styled, repeated header row, its columns fitted."""
    return add_table_of_widths(document, headers, rows, fitted_widths(headers, rows, total_width))


def add_table_of_widths(document: Document, headers: Sequence[str], rows: Sequence[Sequence],
                        widths: Sequence[int]) -> Table:
    """add_table() with the columns' widths (twips) given, e.g. one kept wide enough for a sha256 on one line."""
    table = _table(document, widths)
    titles = "".join(_cell(header, width, fill=HEADER_FILL, bold=True, color=HEADER_TEXT)  # bold white on blue
                     for header, width in zip(headers, widths, strict=True))
    _append_rows(table, [_row(titles, header=True), *(
        _row("".join(_cell(text, width) for text, width in zip(values, widths, strict=True))) for values in rows)])
    return table


def add_facts(document: Document, facts: Sequence[tuple[str, str]], total_width: int) -> Table:
    """Label / value pairs (the document's heading facts): labels bold on a light background, no header row."""
    label = min(max(printed_width(name) for name, _ in facts) * 11 // 10 + CELL_PADDING, total_width // 3)
    widths = [label, total_width - label]
    table = _table(document, widths)
    _append_rows(table, [_row(_cell(name, widths[0], fill=LABEL_FILL, bold=True) + _cell(value, widths[1]))
                         for name, value in facts])
    return table
