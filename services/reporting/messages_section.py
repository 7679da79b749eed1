"""The messages exchanged between an EJ and its authority, as the Word exports print them (issue 18: « included in
the exports »): « EDITER LES DONNEES » of a contract and the CPOM's « Tableau de synthèse ». The owner service's
export gives the messages exchanged only, never a private note."""

from docx.document import Document

from ecars_common.french import paris_moment
from services.reporting import word_page
from services.reporting.docx_tables import add_table


def add_messages(document: Document, title: str, messages: list[dict], authority: str) -> None:
    """A heading `title`, then one row per message (Paris time, author and side, text), or « Aucun message
    échangé. »; `authority`: how the authority's side is named (« ARS », « autorité »)."""
    sides = {"etablissement": "établissement", "autorite": authority}
    document.add_heading(title, level=1)
    if not messages:
        document.add_paragraph("Aucun message échangé.")
        return
    add_table(document, ["Date", "De", "Message"], [
        (paris_moment(m["posted_at"]), f"{m['author']['email']} ({sides.get(m['author']['side'], '')})", m["text"])
        for m in messages], word_page.text_width(document))
