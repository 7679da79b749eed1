"""The receipt of a closing or of a transmission, one Word template for both kinds (then made PDF, pdf.py):
« Accusé de clôture de la saisie » of a self-evaluation contract, « Accusé de transmission » of a CPOM.
It prints the EJ, the contract or CPOM, who and when (Paris time), the fill rate, the receipt hash and every
attached document with its sha256, each hash on one line (its column as wide as a sha256 prints)."""

from datetime import datetime

from ecars_common.french import paris_moment
from services.reporting import word_page
from services.reporting.docx_tables import CELL_PADDING, add_facts, add_table_of_widths, fitted_widths, printed_width

TITLES = {"contract": "Accusé de clôture de la saisie", "cpom": "Accusé de transmission"}
NAMES = {"contract": "Contrat", "cpom": "CPOM"}
PLACES = {"contract": "Indicateur", "cpom": "Dossier"}
HASH_WIDTH = printed_width("f" * 32 + "0" * 32) * 21 // 20 + CELL_PADDING  # a sha256 in Arial 9 pt, and a margin


def title_of(receipt: dict) -> str:
    return TITLES[receipt["kind"]]


def filename_of(receipt: dict) -> str:
    return f"{title_of(receipt)} - {receipt['name']}.pdf"


def render(receipt: dict, edited_at: datetime | None = None) -> bytes:
    """The receipt (the dict contracts' /receipt or cpom's transmission /receipt answers) as a Word document."""
    kind, ej = receipt["kind"], receipt["ej"]
    document = word_page.new_document(title_of(receipt), ej, edited_at=edited_at)
    width = word_page.text_width(document)
    word_page.title(document, title_of(receipt))
    by = receipt["by"] or "Clôture automatique à la date limite de saisie"
    add_facts(document, [
        ("Entité juridique", f"{ej['finess']} - {ej['raison_sociale']}"),
        (NAMES[kind], receipt["name"]),
        *([("Campagne", receipt["context"])] if kind == "contract" else [("Transmission", receipt["context"])]),
        ("Clos par" if kind == "contract" else "Transmis par", by),
        ("Date et heure", f"{paris_moment(receipt['at'])} (heure de Paris)"),
        ("Taux de remplissage", f"{receipt['fill_percentage']} %"),
        ("Empreinte du récépissé (sha256)", receipt["hash"]),
    ], width)
    document.add_heading("Pièces jointes", level=1)
    attachments = receipt["attachments"]
    if not attachments:
        document.add_paragraph("Aucune pièce jointe.")
        return word_page.save(document)
    headers = [PLACES[kind], "Document"]
    rows = [(a["where"], a["name"]) for a in attachments]
    widths = [*fitted_widths(headers, rows, width - HASH_WIDTH), HASH_WIDTH]
    add_table_of_widths(document, [*headers, "Empreinte (sha256)"],
                        [(a["where"], a["name"], a["sha256"]) for a in attachments], widths)
    return word_page.save(document)
