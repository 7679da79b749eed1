"""« Grille des objectifs » as it is read: the grid of a CPOM, an objective sheet, an indicator sheet, with
their values and labels (guide 004)."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from services.cpom import domain
from services.cpom.access import Access
from services.cpom.orm import actions, axes, indicateurs, objectif_etablissements, objectifs, valeurs
from services.cpom.remarks import remarks
from services.cpom.sheet import iso, perimeter

OBJECTIF_NOT_FOUND = "Objectif introuvable dans ce CPOM."
INDICATEUR_NOT_FOUND = "Indicateur introuvable dans ce CPOM."


def number(value: Decimal | None):
    """A stored decimal as a JSON number (an integer when it is one)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def value_view(row, kind: str) -> dict:
    """One stored value as the API and the snapshot show it."""
    item = {"etablissement": row["et_finess"] or None, "valeur": None, "numerateur": None, "denominateur": None,
            "taux": None, "valeur_libelle": ""}
    if kind == "taux":
        item |= {"numerateur": number(row["numerateur"]), "denominateur": number(row["denominateur"]),
                 "taux": number(row["taux"]), "valeur": number(row["taux"]),
                 "valeur_libelle": domain.rate_label(row["taux"])}
    elif kind == "quantitatif":
        item |= {"valeur": number(row["valeur_nombre"]), "valeur_libelle": domain.french_number(row["valeur_nombre"])}
    elif kind == "qualitatif":
        item |= {"valeur": row["valeur_texte"], "valeur_libelle": row["valeur_texte"]}
    else:
        item |= {"valeur": row["valeur_booleen"], "valeur_libelle": "Oui" if row["valeur_booleen"] else "Non"}
    return item


def load(session: Connection, cpom_id: str) -> dict:
    """The whole grid of a CPOM with the gestionnaire's actions and values, in a handful of queries:
    {"etablissements": [...], "axes": [{…, "objectifs": [{…, "actions", "indicateurs": [{…, "valeurs"}]}]}]}."""
    ets = perimeter(session, cpom_id)
    axe_rows = session.execute(sa.select(axes).where(axes.c.cpom_id == cpom_id).order_by(axes.c.position)).mappings()
    grid = {"etablissements": ets, "axes": []}
    by_axe = {}
    for row in axe_rows:
        axe = {"id": row["id"], "code": row["code"], "libelle": row["libelle"], "objectifs": []}
        grid["axes"].append(axe)
        by_axe[row["id"]] = axe
    scoped: dict[str, list[str]] = {}
    for row in session.execute(
            sa.select(objectif_etablissements).join(objectifs, objectifs.c.id == objectif_etablissements.c.objectif_id)
            .where(objectifs.c.cpom_id == cpom_id)):
        scoped.setdefault(row.objectif_id, []).append(row.et_finess)
    by_objectif = {}
    for row in session.execute(sa.select(objectifs).where(objectifs.c.cpom_id == cpom_id)
                               .order_by(objectifs.c.position)).mappings():
        axe = by_axe[row["axe_id"]]
        chosen = set(scoped.get(row["id"], []))
        objectif = {
            "id": row["id"], "code": row["code"], "libelle": row["libelle"], "description": row["description"],
            "axe": {"code": axe["code"], "libelle": axe["libelle"]}, "axe_id": row["axe_id"],
            "perimetre": {"tous": row["perimetre_tous"],
                          "etablissements": [] if row["perimetre_tous"]
                          else [e["finess"] for e in ets if e["finess"] in chosen]},
            "elements_og": list(row["elements_og"]), "element_selectionne_og": row["element_selectionne_og"],
            "actions": [], "indicateurs": [],
        }
        axe["objectifs"].append(objectif)
        by_objectif[row["id"]] = objectif
    for row in session.execute(
            sa.select(actions).join(objectifs, objectifs.c.id == actions.c.objectif_id)
            .where(objectifs.c.cpom_id == cpom_id).order_by(actions.c.numero)).mappings():
        by_objectif[row["objectif_id"]]["actions"].append(
            {"numero": row["numero"], "libelle": row["libelle"], "modifie_le": iso(row["updated_at"]),
             "modifie_par": row["updated_by"]})
    by_indicateur = {}
    for row in session.execute(sa.select(indicateurs).where(indicateurs.c.cpom_id == cpom_id)
                               .order_by(indicateurs.c.position)).mappings():
        item = {k: row[k] for k in ("id", "code", "libelle", "type", "categorie", "declinaison", "indications",
                                    "regles")}
        item |= {"objectif_id": row["objectif_id"], "valeurs": [], "_stored": {}}
        by_objectif[row["objectif_id"]]["indicateurs"].append(item)
        by_indicateur[row["id"]] = item
    for row in session.execute(
            sa.select(valeurs).join(indicateurs, indicateurs.c.id == valeurs.c.indicateur_id)
            .where(indicateurs.c.cpom_id == cpom_id)).mappings():
        item = by_indicateur[row["indicateur_id"]]
        item["_stored"][row["et_finess"]] = {**value_view(row, item["type"]), "modifie_le": iso(row["updated_at"]),
                                             "modifie_par": row["updated_by"]}
    for objectif in by_objectif.values():
        applies = domain.objectif_ets(objectif, ets)
        for item in objectif["indicateurs"]:
            stored = item.pop("_stored")
            keys = [""] if item["declinaison"] == "cpom" else applies  # values of ETs out of scope are ignored
            item["valeurs"] = [stored[k] for k in keys if k in stored]
    return grid


def objectives_of(grid: dict) -> list[dict]:
    return [o for axe in grid["axes"] for o in axe["objectifs"]]


def labelled(kind: str, code: str) -> dict:
    labels = {"type": domain.TYPE_LABELS, "categorie": domain.CATEGORY_LABELS,
              "declinaison": domain.DECLINAISON_LABELS}[kind]
    return {"code": code, "libelle": labels[code]}


def grid_view(session: Connection, cpom_id: str, access: Access) -> dict:
    grid = load(session, cpom_id)
    missing = domain.missing_items(objectives_of(grid), grid["etablissements"])
    incomplete_objectifs = {m["objectif"]["code"] for m in missing if "objectif" in m}
    incomplete_indicateurs = {m["indicateur"]["code"] for m in missing if "indicateur" in m}
    return {
        "axes": [{
            "id": axe["id"], "code": axe["code"], "libelle": axe["libelle"],
            "objectifs": [{
                "id": o["id"], "code": o["code"], "libelle": o["libelle"], "nb_actions": len(o["actions"]),
                "perimetre": perimetre_view(o, grid["etablissements"]),
                "complet": o["code"] not in incomplete_objectifs,
                "indicateurs": [{"id": i["id"], "code": i["code"], "libelle": i["libelle"],
                                 "intitule": f"{i['code']}-{i['libelle']}", "type": labelled("type", i["type"]),
                                 "declinaison": labelled("declinaison", i["declinaison"]),
                                 "complet": i["code"] not in incomplete_indicateurs} for i in o["indicateurs"]],
            } for o in axe["objectifs"]],
        } for axe in grid["axes"]],
        "remarques": remarks(session, cpom_id),
        "manquants": missing,
        "complet": not missing,
        "droits": access.rights(),
    }


def perimetre_view(objectif: dict, ets: list[dict]) -> dict:
    applies = set(domain.objectif_ets(objectif, ets))
    return {"tous": objectif["perimetre"]["tous"],
            "libelle": "Tous les établissements du CPOM" if objectif["perimetre"]["tous"]
            else "Certains établissements du CPOM",
            "etablissements": [{"finess": e["finess"], "nom": e["nom"], "etablissement": e["etablissement"]}
                               for e in ets if e["finess"] in applies]}


def find_in(grid: dict, objectif_id: str | None = None, indicateur_id: str | None = None):
    for axe in grid["axes"]:
        for objectif in axe["objectifs"]:
            if objectif_id is not None and objectif["id"] == objectif_id:
                return axe, objectif, None
            for indicateur in objectif["indicateurs"]:
                if indicateur_id is not None and indicateur["id"] == indicateur_id:
                    return axe, objectif, indicateur
    return None, None, None


def hierarchy(axe: dict, objectif: dict) -> list[dict]:
    return [{"niveau": "Axe", "code": axe["code"], "libelle": axe["libelle"]},
            {"niveau": "Objectif", "code": objectif["code"], "libelle": objectif["libelle"]}]


def objectif_view(session: Connection, cpom_id: str, objectif_id: str, access: Access) -> dict:
    """« Fiche Objectif »."""
    grid = load(session, cpom_id)
    axe, objectif, _ = find_in(grid, objectif_id=objectif_id)
    if objectif is None:
        raise ApiError(404, "not_found", OBJECTIF_NOT_FOUND)
    return {
        "id": objectif["id"], "code": objectif["code"], "libelle": objectif["libelle"],
        "description": objectif["description"],
        "hierarchie": hierarchy(axe, objectif),
        "perimetre": perimetre_view(objectif, grid["etablissements"]),
        "indicateurs": [{"id": i["id"], "code": i["code"], "libelle": i["libelle"],
                         "intitule": f"{i['code']}-{i['libelle']}", "type": labelled("type", i["type"]),
                         "categorie": labelled("categorie", i["categorie"]),
                         "declinaison": labelled("declinaison", i["declinaison"])} for i in objectif["indicateurs"]],
        "option_og": {"active": bool(objectif["elements_og"]), "elements": objectif["elements_og"],
                      "element_selectionne": objectif["element_selectionne_og"]},
        "actions": objectif["actions"],
        "max_actions": domain.MAX_ACTIONS,
        "droits": access.rights(),
    }


def indicateur_view(session: Connection, cpom_id: str, indicateur_id: str, access: Access) -> dict:
    """« Fiche indicateur »: one line per ET of the objective's perimeter (ET par ET), or one line (CPOM)."""
    grid = load(session, cpom_id)
    axe, objectif, indicateur = find_in(grid, indicateur_id=indicateur_id)
    if indicateur is None:
        raise ApiError(404, "not_found", INDICATEUR_NOT_FOUND)
    stored = {v["etablissement"]: v for v in indicateur["valeurs"]}
    names = {e["finess"]: e for e in grid["etablissements"]}
    if indicateur["declinaison"] == "cpom":
        lines = [{"etablissement": None, "renseignee": None in stored, **_value_or_empty(stored.get(None))}]
    else:
        lines = [{"etablissement": {"finess": f, "nom": names[f]["nom"], "etablissement": names[f]["etablissement"]},
                  "renseignee": f in stored, **_value_or_empty(stored.get(f))}
                 for f in domain.objectif_ets(objectif, grid["etablissements"])]
    return {
        "id": indicateur["id"], "code": indicateur["code"], "libelle": indicateur["libelle"],
        "intitule": f"{indicateur['code']}-{indicateur['libelle']}",
        "objectif": {"id": objectif["id"], "code": objectif["code"], "libelle": objectif["libelle"],
                     "hierarchie": hierarchy(axe, objectif)},
        "type": labelled("type", indicateur["type"]), "categorie": labelled("categorie", indicateur["categorie"]),
        "declinaison": labelled("declinaison", indicateur["declinaison"]), "indications": indicateur["indications"],
        "regles": indicateur["regles"], "regles_texte": domain.rule_text(indicateur["type"], indicateur["regles"]),
        "valeurs": lines,
        "droits": access.rights(),
    }


def _value_or_empty(value: dict | None) -> dict:
    keys = ("valeur", "numerateur", "denominateur", "taux", "valeur_libelle", "modifie_le", "modifie_par")
    return {k: (value or {}).get(k) for k in keys}
