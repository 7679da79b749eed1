"""Word documents of a CPOM (guide 004, « Génération fiche Objectif » and « Génération Tableau de
synthèse »), from the CPOM's export (the transmission snapshot)."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

from services.reporting.docx_tables import add_table

PARIS = ZoneInfo("Europe/Paris")


def _document(landscape: bool = False) -> Document:
    document = Document()
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(9)
    if landscape:
        section = document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
        section.left_margin = section.right_margin = Cm(1.5)
    return document


def _header(document: Document, cpom: dict, title: str) -> None:
    document.add_heading(title, level=0)
    add_table(document, ["", ""], [
        ("Nom du CPOM", cpom["nom"]),
        ("EJ associé", f"{cpom['ej']['finess']} - {cpom['ej']['raison_sociale']}"),
        ("Statut", cpom["statut"]["libelle"]),
        ("Compétence", cpom["competence"]),
        ("Édité le", datetime.now(PARIS).strftime("%d/%m/%Y à %Hh%M")),
    ], widths_cm=[5, 11])


def value_text(value: dict) -> str:
    if value.get("taux") is not None:
        return f"{value['numerateur']} / {value['denominateur']} = {value.get('valeur_libelle') or value['taux']}"
    if value.get("valeur_libelle"):
        return value["valeur_libelle"]
    return "" if value.get("valeur") is None else str(value["valeur"]).replace(".", ",")


def rate_text(value: dict) -> str:
    if not value or value.get("taux") is None:
        return ""
    return value.get("valeur_libelle") or str(value["taux"])


def et_name(value: dict, names: dict) -> str:
    """The ET of a value (its FINESS in the snapshot) as « FINESS - Nom », or « CPOM »."""
    et = value.get("etablissement")
    if not et:
        return "CPOM"
    return f"{et} - {names[et]}" if et in names else str(et)


def _save(document: Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def fiche_objectif(snapshot: dict, objective_code: str) -> bytes | None:
    """One objective: hierarchy, perimeter, actions, indicators with their values per ET."""
    objective = next((o for o in snapshot["objectifs"] if o["code"] == objective_code), None)
    if objective is None:
        return None
    names = {e["finess"]: e["nom"] for e in snapshot["etablissements"]}
    document = _document()
    _header(document, snapshot["cpom"], f"Fiche Objectif {objective['code']}")
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
    add_table(document, ["N°", "Action"], actions, widths_cm=[1.5, 14.5])
    document.add_heading("Indicateurs", level=2)
    rows = []
    for indicator in objective["indicateurs"]:
        values = indicator["valeurs"] or [{}]
        for n, value in enumerate(values):
            rows.append((f"{indicator['code']} - {indicator['libelle']}" if n == 0 else "",
                         indicator["type"] if n == 0 else "", indicator["declinaison"] if n == 0 else "",
                         et_name(value, names) if value else "", value_text(value) if value else ""))
    add_table(document, ["Indicateur", "Type", "Déclinaison", "Établissement", "Valeur initiale"], rows,
              widths_cm=[5.5, 2.5, 2.5, 3.5, 2.5])
    return _save(document)


def synthese(snapshot: dict) -> bytes:
    """« Tableau de synthèse »: every objective, indicator, ET, initial value and rate in one table."""
    names = {e["finess"]: e["nom"] for e in snapshot["etablissements"]}
    document = _document(landscape=True)
    _header(document, snapshot["cpom"], "Tableau de synthèse")
    rows = []
    for objective in snapshot["objectifs"]:
        actions = len(objective["actions"])
        for indicator in objective["indicateurs"]:
            for value in indicator["valeurs"] or [{}]:
                rows.append((f"{objective['code']} - {objective['libelle']}", str(actions),
                             f"{indicator['code']} - {indicator['libelle']}", indicator["categorie"],
                             et_name(value, names) if value else "", value_text(value) if value else "",
                             rate_text(value)))
    add_table(document, ["Objectif", "Actions", "Indicateur", "Catégorie", "Établissement", "Valeur initiale",
                         "Taux"], rows, widths_cm=[5.5, 1.5, 5.5, 3, 4, 3, 2])
    if snapshot.get("remarques"):
        document.add_heading("Remarques", level=1)
        for remark in snapshot["remarques"]:
            document.add_paragraph(f"{remark['le']} – {remark['auteur']} : {remark['texte']}")
    return _save(document)
