"""Fast tables for python-docx: data rows are built as WordprocessingML directly.

`table.add_row().cells[i].text = …` re-walks the table's XML for every cell, which makes big tables
quadratic; a row built once as XML and appended is linear. The output is the same markup python-docx
writes (w:tr / w:tc / w:p / w:r / w:t), so Word and LibreOffice open it alike."""

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import Table


def _cell(text: str, width) -> OxmlElement:
    cell = OxmlElement("w:tc")
    properties = OxmlElement("w:tcPr")
    cell_width = OxmlElement("w:tcW")
    cell_width.set(qn("w:w"), str(width))
    cell_width.set(qn("w:type"), "dxa")
    properties.append(cell_width)
    cell.append(properties)
    lines = str(text).split("\n") if text not in (None, "") else [""]
    for line in lines:
        paragraph = OxmlElement("w:p")
        if line:
            run = OxmlElement("w:r")
            run_text = OxmlElement("w:t")
            run_text.set(qn("xml:space"), "preserve")
            run_text.text = line
            run.append(run_text)
            paragraph.append(run)
        cell.append(paragraph)
    return cell


def add_table(document: Document, headers: list[str], rows, widths_cm: list[float] | None = None,
              style: str = "Table Grid") -> Table:
    """A table with a bold, repeated header row and `rows` (iterables of cell texts)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = style
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    header_properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_properties.append(repeat)
    widths = [int(w * 567) for w in widths_cm] if widths_cm else [int(9000 / len(headers))] * len(headers)
    tbl = table._tbl
    for values in rows:
        row = OxmlElement("w:tr")
        for text, width in zip(values, widths, strict=True):
            row.append(_cell(text, width))
        tbl.append(row)
    return table
