"""Tables of the Word documents, built as WordprocessingML directly, with columns fitted to their content.

`table.add_row().cells[i].text = …` re-walks the table's XML for every cell, which makes big tables
quadratic; a row built once as XML and appended is linear. The output is the markup python-docx writes
(w:tr / w:tc / w:p / w:r / w:t). Widths are written twice, as Word and LibreOffice each read one of them:
the grid (w:gridCol, LibreOffice) and every cell's w:tcW (Word); the layout is fixed, so neither client
re-spreads the columns evenly."""

from collections.abc import Sequence

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table

HEADER_FILL, HEADER_TEXT, LABEL_FILL = "000091", "FFFFFF", "ECECFE"  # DSFR bleu France, white, bleu France 975
CELL_PADDING = 240  # Table Grid's cell margins, 0.19 cm each side, and a little air
WORD_CAP, LINE_CAP = 2400, 4800  # twips (~25 and ~50 letters): a longer word may break (a hash), a longer line wraps


def _run(text: str, bold: bool = False, color: str | None = None) -> OxmlElement:
    run = OxmlElement("w:r")
    if bold or color:
        properties = OxmlElement("w:rPr")
        if bold:
            properties.append(OxmlElement("w:b"))
        if color:
            colour = OxmlElement("w:color")
            colour.set(qn("w:val"), color)
            properties.append(colour)
        run.append(properties)
    run_text = OxmlElement("w:t")
    run_text.set(qn("xml:space"), "preserve")
    run_text.text = text
    run.append(run_text)
    return run


def _cell(text, width: int, fill: str | None = None, bold: bool = False, color: str | None = None) -> OxmlElement:
    cell = OxmlElement("w:tc")
    properties = OxmlElement("w:tcPr")
    cell_width = OxmlElement("w:tcW")
    cell_width.set(qn("w:w"), str(width))
    cell_width.set(qn("w:type"), "dxa")
    properties.append(cell_width)
    if fill:
        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), fill)
        properties.append(shading)
    cell.append(properties)
    for line in str(text).split("\n") if text not in (None, "") else [""]:
        paragraph = OxmlElement("w:p")
        if line:
            paragraph.append(_run(line, bold, color))
        cell.append(paragraph)
    return cell


def _row(header: bool = False) -> OxmlElement:
    """A row kept on one page (w:cantSplit: a row taller than a page still breaks); the header row also
    repeated at the top of each page (w:tblHeader: Word and LibreOffice repeat the leading rows that carry it)."""
    row = OxmlElement("w:tr")
    properties = OxmlElement("w:trPr")
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))
    row.append(properties)
    return row


def _header_row(headers: Sequence[str], widths: Sequence[int]) -> OxmlElement:
    """The column titles: bold white on blue."""
    row = _row(header=True)
    for header, width in zip(headers, widths, strict=True):
        row.append(_cell(header, width, fill=HEADER_FILL, bold=True, color=HEADER_TEXT))
    return row


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
    widths = fitted_widths(headers, rows, total_width)
    table = _table(document, widths)
    tbl = table._tbl
    tbl.append(_header_row(headers, widths))
    for values in rows:
        row = _row()
        for text, width in zip(values, widths, strict=True):
            row.append(_cell(text, width))
        tbl.append(row)
    return table


def add_facts(document: Document, facts: Sequence[tuple[str, str]], total_width: int) -> Table:
    """Label / value pairs (the document's heading facts): labels bold on a light background, no header row."""
    label = min(max(printed_width(name) for name, _ in facts) * 11 // 10 + CELL_PADDING, total_width // 3)
    widths = [label, total_width - label]
    table = _table(document, widths)
    for name, value in facts:
        row = _row()
        row.append(_cell(name, widths[0], fill=LABEL_FILL, bold=True))
        row.append(_cell(value, widths[1]))
        table._tbl.append(row)
    return table
