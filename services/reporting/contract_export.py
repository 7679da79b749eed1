"""« EDITER LES DONNEES »: the provisional Word extraction of a self-evaluation contract (guide 000 §4):
every indicator, filled or not, with its values, comment and document names; a closed contract's
export prints its receipt hash."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor

from services.reporting.docx_tables import add_table

PARIS = ZoneInfo("Europe/Paris")
DOT_LABELS = {"VERTE": "Renseigné", "ROUGE": "À renseigner", "GRISE": "Non accessible"}


def render(contract: dict, generated_at: datetime | None = None) -> bytes:
    generated_at = (generated_at or datetime.now(PARIS)).astimezone(PARIS)
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(9)
    document.add_heading(contract["name"], level=0)
    ej, campaign = contract["ej"], contract["campaign"]
    facts = [
        ("Entité juridique", f"{ej['finess']} - {ej['raison_sociale']}"),
        ("Campagne", f"{campaign['name']} (année évaluée {campaign['evaluated_year']})"),
        ("Statut", contract["status"]),
        ("Remplissage", f"{contract['fill_percentage']} %"),
        ("Édité le", generated_at.strftime("%d/%m/%Y à %Hh%M")),
    ]
    if contract.get("receipt_hash"):
        facts.append(("Empreinte du récépissé (sha256)", contract["receipt_hash"]))
    add_table(document, ["", ""], facts, widths_cm=[5, 11])
    if contract["status"] != "CONSULTATION":
        note = document.add_paragraph()
        run = note.add_run("Extraction provisoire : la saisie est en cours (statut AUTO-EVALUATION).")
        run.italic = True
        run.font.color.rgb = RGBColor(0x00, 0x00, 0x91)
    document.add_heading("Indicateurs", level=1)
    rows = []
    for indicator in contract["indicators"]:
        state = DOT_LABELS.get(indicator["dot"], indicator["dot"])
        if indicator.get("hidden") or "questions" not in indicator:
            rows.append((indicator["label"], "", "(indicateur non accessible)", "", "", state))
            continue
        documents = "\n".join(d["name"] for d in indicator.get("documents", []))
        for n, question in enumerate(indicator["questions"]):
            first = n == 0
            rows.append((indicator["label"] if first else "", question["label"], question["display"],
                         indicator["comment"] if first else "", documents if first else "", state if first else ""))
    add_table(document, ["Indicateur", "Question", "Réalisé",
                         f"Commentaire évalué {campaign['evaluated_year']}", "Documents", "État"],
              rows, widths_cm=[5, 3, 2.5, 4, 3, 2])
    footer = document.sections[0].footer.paragraphs[0]
    footer.text = f"e-CARS – {contract['name']} – édité le {generated_at.strftime('%d/%m/%Y')}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
