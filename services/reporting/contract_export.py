"""« EDITER LES DONNEES »: the provisional Word extraction of a self-evaluation contract (guide 000 §4):
every indicator, filled or not, with its values, comment and document names, then the messages exchanged with the
ARS (issue 18: never a private note); a closed contract's export prints its receipt hash. Landscape: six columns,
two of them long texts."""

from datetime import datetime

from services.reporting import word_page
from services.reporting.docx_tables import add_facts, add_table
from services.reporting.messages_section import add_messages

TITLE = "Édition des données saisies"
DOT_LABELS = {"VERTE": "Renseigné", "ROUGE": "À renseigner", "GRISE": "Non accessible"}


def render(contract: dict, generated_at: datetime | None = None) -> bytes:
    ej, campaign = contract["ej"], contract["campaign"]
    document = word_page.new_document(TITLE, ej, landscape=True, edited_at=generated_at)
    width = word_page.text_width(document)
    word_page.title(document, contract["name"])
    facts = [
        ("Entité juridique", f"{ej['finess']} - {ej['raison_sociale']}"),
        ("Campagne", f"{campaign['name']} (année évaluée {campaign['evaluated_year']})"),
        ("Statut", contract["status"]),
        ("Remplissage", f"{contract['fill_percentage']} %"),
    ]
    if contract.get("receipt_hash"):
        facts.append(("Empreinte du récépissé (sha256)", contract["receipt_hash"]))
    add_facts(document, facts, width)
    if contract["status"] != "CONSULTATION":
        note = document.add_paragraph()
        run = note.add_run("Extraction provisoire : la saisie est en cours (statut AUTO-EVALUATION).")
        run.italic = True
        run.font.color.rgb = word_page.BLUE_FRANCE
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
    add_table(document, ["Indicateur", "Question", "Réalisé", f"Commentaire évalué {campaign['evaluated_year']}",
                         "Documents", "État"], rows, width)
    add_messages(document, "Messages échangés avec l'ARS", contract.get("messages") or [], "ARS")
    return word_page.save(document)
