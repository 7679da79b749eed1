"""Reading a Word document back as its reader sees it: python-docx for its structure, LibreOffice's PDF (converted
with `soffice`, read with `pdftotext`) for the pages a person prints, with their header, footer and fields."""

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}")


@dataclass
class Rendered:
    document: docx.document.Document
    pages: list[str]  # the text of each PDF page, whitespace runs made one space (table cells wrap their text)
    layout: list[list[str]]  # each page's lines as printed (pdftotext -layout, spaces made one): a row of a table
    # is a line, a cell's text that wraps goes on the next lines

    @property
    def text(self) -> str:
        return " ".join(self.pages)


def all_text(document: docx.document.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def render(content: bytes, tmp_path: Path, name: str = "document") -> Rendered:
    path = tmp_path / f"{name}.docx"
    path.write_bytes(content)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `make test` (Debian's libreoffice-writer-nogui)"
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, timeout=120, capture_output=True)
    def pdftotext(*options) -> list[str]:
        text = subprocess.run(["pdftotext", *options, str(tmp_path / f"{name}.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
        return [page for page in text.split("\f") if page.strip()]

    pages = [" ".join(page.split()) for page in pdftotext()]
    layout = [[" ".join(line.split()) for line in page.splitlines()] for page in pdftotext("-layout")]
    return Rendered(docx.Document(io.BytesIO(content)), pages, layout)


def is_landscape(document) -> bool:
    section = document.sections[0]
    return section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height


def repeats_first_row(table) -> bool:
    """The table's first row carries w:tblHeader (Word and LibreOffice repeat it at the top of each page)."""
    properties = table.rows[0]._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None


def grid_widths(table) -> list[int]:
    return [int(column.get(qn("w:w"))) for column in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def header_fill(table) -> set[str]:
    """The background colours of the first row's cells."""
    return {cell._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for cell in table.rows[0].cells
            if cell._tc.tcPr is not None and cell._tc.tcPr.find(qn("w:shd")) is not None}


def table_with_header(document, first_header: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == first_header)


def check_page_layout(rendered: Rendered, title: str, ej_line: str, landscape: bool) -> None:
    """What every e-CARS Word document shows: a header naming it and its EJ on every page, « Page X sur Y » in
    its footer, the orientation asked for, no empty first row in any table, no ISO date or time anywhere."""
    document, pages = rendered.document, rendered.pages
    header = document.sections[0].header.paragraphs[0].text
    assert title in header and ej_line in header, header
    assert is_landscape(document) is landscape
    for n, page in enumerate(pages, start=1):
        assert title in page and ej_line in page, f"page {n} has no header"
        assert f"Page {n} sur {len(pages)}" in page, page[-200:]
    for table in document.tables:
        assert all(cell.text.strip() for cell in table.rows[0].cells), [c.text for c in table.rows[0].cells]
    assert not ISO_DATE.search(rendered.text), ISO_DATE.search(rendered.text)
    assert not ISO_DATE.search(all_text(document))
