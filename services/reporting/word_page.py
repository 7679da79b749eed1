"""The page every e-CARS Word document shares: A4, portrait or landscape (for the wide tables), Arial 9 pt, a
header naming the document and the EJ on every page, a footer « e-CARS – édité le … » and « Page X sur Y ».

python-docx has no API for fields: the page number and the page count are WordprocessingML fields (PAGE and
NUMPAGES, a w:fldChar begin / w:instrText / separate / end run sequence) that Word and LibreOffice compute
when they lay the pages out; the number written between separate and end is only shown until they do."""

import io
from datetime import datetime

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ecars_common.french import PARIS, paris_moment

A4_SHORT, A4_LONG, MARGIN = Cm(21), Cm(29.7), Cm(1.5)
BLUE_FRANCE = RGBColor(0x00, 0x00, 0x91)


def new_document(title: str, ej: dict, landscape: bool = False, edited_at: datetime | None = None) -> WordDocument:
    """An empty document of that title for that EJ ({"finess", "raison_sociale"}), its page set up."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Arial", Pt(9)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Arial")
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (A4_LONG, A4_SHORT) if landscape else (A4_SHORT, A4_LONG)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(0.8)
    _header(document, title, ej)
    _footer(document, paris_moment(edited_at or datetime.now(PARIS)))
    return document


def text_width(document: WordDocument) -> int:
    """The width between the margins, in twentieths of a point (the unit of table widths)."""
    section = document.sections[0]
    return int((section.page_width - section.left_margin - section.right_margin) / 635)  # 635 EMU a twip


def ej_line(ej: dict) -> str:
    return f"EJ {ej['finess']} - {ej['raison_sociale']}"


def _right_tab(document: WordDocument, paragraph) -> None:
    """A paragraph of the header or footer: its left part, a tab, its right part at the right margin."""
    stops = paragraph.paragraph_format.tab_stops
    stops.add_tab_stop(int(text_width(document) * 635), WD_TAB_ALIGNMENT.RIGHT)


def _header(document: WordDocument, title: str, ej: dict) -> None:
    paragraph = document.sections[0].header.paragraphs[0]
    paragraph.style = document.styles["Normal"]  # the template's Header style has tab stops for portrait Letter
    _bottom_border(paragraph)
    _right_tab(document, paragraph)
    run = paragraph.add_run(title)
    run.bold, run.font.color.rgb = True, BLUE_FRANCE
    paragraph.add_run("\t" + ej_line(ej))


def _footer(document: WordDocument, edited: str) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.style = document.styles["Normal"]
    _right_tab(document, paragraph)
    paragraph.add_run(f"e-CARS – édité le {edited}\tPage ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" sur ")
    _field(paragraph, "NUMPAGES")


def _field(paragraph, instruction: str) -> None:
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("text", "1"), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _bottom_border(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "4"), ("w:color", "000091")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)  # before w:tabs, as the schema orders w:pPr's children


def title(document: WordDocument, text: str) -> None:
    """The document's title on its first page."""
    heading = document.add_heading(text, level=0)
    for run in heading.runs:
        run.font.color.rgb = BLUE_FRANCE


def save(document: WordDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
