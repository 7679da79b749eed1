"""Word documents of a CPOM (guide 004, « Génération fiche Objectif » and « Génération Tableau de
synthèse »), from the CPOM's export (the transmission snapshot, and the messages exchanged for the synthesis) and
cpom's referentials for the labels."""

from datetime import datetime

from docx.document import Document

from ecars_common import values
from ecars_common.french import paris_moment
from services.reporting import word_page
from services.reporting.docx_tables import add_facts, add_table
from services.reporting.messages_section import add_messages
from services.reporting.referentials import CpomLabels


def _opening(snapshot: dict, title: str, landscape: bool, edited_at: datetime | None) -> Document:
    cpom = snapshot["cpom"]
    document = word_page.new_document(title, cpom["ej"], landscape=landscape, edited_at=edited_at)
    word_page.title(document, title)
    add_facts(document, [
        ("Nom du CPOM", cpom["nom"]),
        ("EJ associé", f"{cpom['ej']['finess']} - {cpom['ej']['raison_sociale']}"),
        ("Statut", cpom["statut"]["libelle"]),
        ("Compétence", cpom["competence"]),
        *([("Départements concernés", ", ".join(cpom["departements"]))] if cpom.get("departements") else []),
    ], word_page.text_width(document))
    return document


def french_number(number) -> str:
    return "" if number is None else values.french(number)


def value_text(value: dict) -> str:
    if value.get("taux") is not None:
        return (f"{french_number(value['numerateur'])} / {french_number(value['denominateur'])} = "
                f"{rate_text(value)}")
    if value.get("valeur_libelle"):
        return value["valeur_libelle"]
    return french_number(value.get("valeur"))


def rate_text(value: dict) -> str:
    if not value or value.get("taux") is None:
        return ""
    return value.get("valeur_libelle") or f"{french_number(value['taux'])} %"


def et_name(value: dict, names: dict) -> str:
    """The ET of a value (its FINESS in the snapshot) as « FINESS - Nom », or « CPOM »."""
    et = value.get("etablissement")
    if not et:
        return "CPOM"
    return f"{et} - {names[et]}" if et in names else str(et)


def fiche_objectif(snapshot: dict, objective_code: str, labels: CpomLabels,
                   edited_at: datetime | None = None) -> bytes | None:
    """One objective: hierarchy, perimeter, actions, indicators with their values per ET."""
    objective = next((o for o in snapshot["objectifs"] if o["code"] == objective_code), None)
    if objective is None:
        return None
    names = {e["finess"]: e["nom"] for e in snapshot["etablissements"]}
    document = _opening(snapshot, f"Fiche Objectif {objective['code']}", False, edited_at)
    width = word_page.text_width(document)
    document.add_heading(f"{objective['code']} - {objective['libelle']}", level=1)
    axe = objective.get("axe") or {}
    if axe:
        document.add_paragraph(f"Hiérarchie de rattachement : {axe.get('code', '')} - {axe.get('libelle', '')}")
    perimetre = objective.get("perimetre") or {}
    document.add_paragraph(f"Périmètre d'application : {perimetre.get('libelle') or 'tous les établissements'}")
    if objective.get("description"):
        document.add_paragraph(objective["description"])
    if objective.get("element_selectionne_og"):
        document.add_paragraph(f"Élément sélectionné par l'OG : {objective['element_selectionne_og']}")
    document.add_heading("Actions", level=2)
    actions = [(str(a["numero"]), a["libelle"]) for a in objective["actions"]] or [("", "Aucune action saisie")]
    add_table(document, ["N°", "Action"], actions, width)
    document.add_heading("Indicateurs", level=2)
    rows = []
    for indicator in objective["indicateurs"]:
        for n, value in enumerate(indicator["valeurs"] or [{}]):
            first = n == 0
            rows.append((f"{indicator['code']} - {indicator['libelle']}" if first else "",
                         labels.type(indicator["type"]) if first else "",
                         labels.category(indicator["categorie"]) if first else "",
                         labels.declinaison(indicator["declinaison"]) if first else "",
                         et_name(value, names) if value else "", value_text(value) if value else ""))
    add_table(document, ["Indicateur", "Type", "Catégorie", "Déclinaison", "Établissement", "Valeur initiale"], rows,
              width)
    return word_page.save(document)


SYNTHESIS_HEADERS = ["Objectif", "Actions", "Indicateur", "Catégorie", "Établissement", "Valeur initiale", "Taux"]


def synthesis_rows(snapshot: dict, labels: CpomLabels) -> list[tuple]:
    names = {e["finess"]: e["nom"] for e in snapshot["etablissements"]}
    rows = []
    for objective in snapshot["objectifs"]:
        actions = str(len(objective["actions"]))
        for indicator in objective["indicateurs"]:
            category = labels.category(indicator["categorie"])
            for value in indicator["valeurs"] or [{}]:
                rows.append((f"{objective['code']} - {objective['libelle']}", actions,
                             f"{indicator['code']} - {indicator['libelle']}", category,
                             et_name(value, names) if value else "", value_text(value) if value else "",
                             rate_text(value)))
    return rows


def synthese(snapshot: dict, labels: CpomLabels, edited_at: datetime | None = None) -> bytes:
    """« Tableau de synthèse »: every objective, indicator, ET, initial value and rate in one table (landscape)."""
    document = _opening(snapshot, "Tableau de synthèse", True, edited_at)
    document.add_heading("Objectifs et indicateurs", level=1)
    add_table(document, SYNTHESIS_HEADERS, synthesis_rows(snapshot, labels), word_page.text_width(document))
    if snapshot.get("remarques"):
        document.add_heading("Remarques", level=1)
        for remark in snapshot["remarques"]:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{paris_moment(remark['le'])} – {remark['auteur']} : ").bold = True
            paragraph.add_run(remark["texte"])
    add_messages(document, "Messages échangés avec les autorités", snapshot.get("messages") or [], "autorité")
    return word_page.save(document)
