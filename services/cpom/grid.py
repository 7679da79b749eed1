"""« Grille des objectifs »: axes → objectives → indicators, built by the authorities (one by one or from
a JSON document); the gestionnaire's part: up to 5 actions per objective, « Élément sélectionné par l'OG »,
the initial value of each indicator (per ET of the perimeter for « ET par ET »); « Remarques »."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.cpom import domain
from services.cpom.access import Access
from services.cpom.forms import invalid
from services.cpom.orm import actions, axes, indicateurs, objectif_etablissements, objectifs, remarques, valeurs
from services.cpom.records import audit
from services.cpom.sheet import iso, perimeter

OBJECTIF_NOT_FOUND = "Objectif introuvable dans ce CPOM."
INDICATEUR_NOT_FOUND = "Indicateur introuvable dans ce CPOM."
AXE_NOT_FOUND = "Axe introuvable dans ce CPOM."


# -- reading --------------------------------------------------------------------------------------

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


def _find(grid: dict, objectif_id: str | None = None, indicateur_id: str | None = None):
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
    axe, objectif, _ = _find(grid, objectif_id=objectif_id)
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
    axe, objectif, indicateur = _find(grid, indicateur_id=indicateur_id)
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


# -- building the grid (authorities) --------------------------------------------------------------

def _et_set(session: Connection, cpom_id: str) -> set[str]:
    return {e["finess"] for e in perimeter(session, cpom_id)}


def _next_position(session: Connection, table, **where) -> int:
    query = sa.select(sa.func.coalesce(sa.func.max(table.c.position), 0) + 1)
    for name, value in where.items():
        query = query.where(table.c[name] == value)
    return session.execute(query).scalar_one()


def _code_taken(session: Connection, table, cpom_id: str, code: str, but: str | None = None) -> bool:
    query = sa.select(table.c.id).where(table.c.cpom_id == cpom_id, table.c.code == code)
    if but:
        query = query.where(table.c.id != but)
    return session.execute(query).first() is not None


def _write_scope(session: Connection, objectif_id: str, item: dict) -> None:
    session.execute(objectif_etablissements.delete().where(objectif_etablissements.c.objectif_id == objectif_id))
    for finess in item["etablissements"]:
        session.execute(objectif_etablissements.insert().values(objectif_id=objectif_id, et_finess=finess))


OBJECTIF_COLUMNS = ("code", "libelle", "description", "perimetre_tous", "elements_og")
INDICATEUR_COLUMNS = ("code", "libelle", "type", "categorie", "declinaison", "indications", "regles")


def add_axe(session: Connection, identity: Identity, cpom_id: str, raw) -> dict:
    errors: dict = {}
    item = domain.parse_axe(raw, "", errors)
    if item and item["code"] and _code_taken(session, axes, cpom_id, item["code"]):
        errors["code"] = f"le code {item['code']} est déjà utilisé dans ce CPOM"
    if errors:
        raise invalid(errors)
    row = session.execute(axes.insert().values(cpom_id=cpom_id, position=_next_position(session, axes, cpom_id=cpom_id),
                                               **item).returning(axes)).mappings().one()
    audit(session, identity, "grille.axe_added", cpom_id, code=item["code"])
    return {"id": row["id"], "code": row["code"], "libelle": row["libelle"]}


def add_objectif(session: Connection, identity: Identity, cpom_id: str, axe_id: str, raw) -> str:
    if session.execute(sa.select(axes.c.id).where(axes.c.id == axe_id, axes.c.cpom_id == cpom_id)).first() is None:
        raise ApiError(404, "not_found", AXE_NOT_FOUND)
    errors: dict = {}
    item = domain.parse_objectif(raw, "", errors, _et_set(session, cpom_id))
    if item and item["code"] and _code_taken(session, objectifs, cpom_id, item["code"]):
        errors["code"] = f"le code {item['code']} est déjà utilisé dans ce CPOM"
    if errors:
        raise invalid(errors)
    objectif_id = session.execute(objectifs.insert().values(
        cpom_id=cpom_id, axe_id=axe_id, position=_next_position(session, objectifs, cpom_id=cpom_id),
        **{k: item[k] for k in OBJECTIF_COLUMNS}).returning(objectifs.c.id)).scalar_one()
    _write_scope(session, objectif_id, item)
    audit(session, identity, "grille.objectif_added", cpom_id, code=item["code"])
    return objectif_id


def objectif_row(session: Connection, cpom_id: str, objectif_id: str, lock: bool = False):
    query = sa.select(objectifs).where(objectifs.c.id == objectif_id, objectifs.c.cpom_id == cpom_id)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise ApiError(404, "not_found", OBJECTIF_NOT_FOUND)
    return row


def update_objectif(session: Connection, identity: Identity, cpom_id: str, objectif_id: str, raw: dict) -> None:
    """Merge the fields sent with the objective's, check the whole, save. The OG's selection is cleared
    if it is no longer offered."""
    row = objectif_row(session, cpom_id, objectif_id, lock=True)
    scope = list(session.execute(sa.select(objectif_etablissements.c.et_finess)
                                 .where(objectif_etablissements.c.objectif_id == objectif_id)).scalars())
    current = {"code": row["code"], "libelle": row["libelle"], "description": row["description"],
               "perimetre": "tous" if row["perimetre_tous"] else scope, "elements_og": list(row["elements_og"])}
    if "code" in raw and raw["code"] != row["code"]:
        raise invalid({"code": "le code d'un objectif ne change pas (supprimez-le et recréez-le)"})
    errors: dict = {}
    item = domain.parse_objectif(current | raw, "", errors, _et_set(session, cpom_id))
    if errors:
        raise invalid(errors)
    values = {k: item[k] for k in OBJECTIF_COLUMNS}
    if row["element_selectionne_og"] not in item["elements_og"]:
        values["element_selectionne_og"] = None
    session.execute(objectifs.update().where(objectifs.c.id == objectif_id).values(**values, updated_at=sa.func.now()))
    _write_scope(session, objectif_id, item)
    audit(session, identity, "grille.objectif_changed", cpom_id, code=row["code"], champs=sorted(raw))


def add_indicateur(session: Connection, identity: Identity, cpom_id: str, objectif_id: str, raw) -> str:
    objectif_row(session, cpom_id, objectif_id)
    errors: dict = {}
    item = domain.parse_indicateur(raw, "", errors)
    if item and item["code"] and _code_taken(session, indicateurs, cpom_id, item["code"]):
        errors["code"] = f"le code {item['code']} est déjà utilisé dans ce CPOM"
    if errors:
        raise invalid(errors)
    indicateur_id = session.execute(indicateurs.insert().values(
        cpom_id=cpom_id, objectif_id=objectif_id, position=_next_position(session, indicateurs, cpom_id=cpom_id),
        **item).returning(indicateurs.c.id)).scalar_one()
    audit(session, identity, "grille.indicateur_added", cpom_id, code=item["code"])
    return indicateur_id


def indicateur_row(session: Connection, cpom_id: str, indicateur_id: str):
    row = session.execute(sa.select(indicateurs).where(indicateurs.c.id == indicateur_id,
                                                       indicateurs.c.cpom_id == cpom_id)).mappings().first()
    if row is None:
        raise ApiError(404, "not_found", INDICATEUR_NOT_FOUND)
    return row


def update_indicateur(session: Connection, identity: Identity, cpom_id: str, indicateur_id: str, raw: dict) -> None:
    """Values already entered are dropped if the type or the declinaison changes (they no longer fit)."""
    row = indicateur_row(session, cpom_id, indicateur_id)
    if "code" in raw and raw["code"] != row["code"]:
        raise invalid({"code": "le code d'un indicateur ne change pas (supprimez-le et recréez-le)"})
    errors: dict = {}
    item = domain.parse_indicateur({k: row[k] for k in INDICATEUR_COLUMNS} | raw, "", errors)
    if errors:
        raise invalid(errors)
    session.execute(indicateurs.update().where(indicateurs.c.id == indicateur_id).values(**item))
    if (item["type"], item["declinaison"]) != (row["type"], row["declinaison"]):
        session.execute(valeurs.delete().where(valeurs.c.indicateur_id == indicateur_id))
    audit(session, identity, "grille.indicateur_changed", cpom_id, code=row["code"], champs=sorted(raw))


def delete(session: Connection, identity: Identity, cpom_id: str, table, item_id: str, what: str) -> None:
    row = session.execute(sa.select(table.c.code).where(table.c.id == item_id, table.c.cpom_id == cpom_id)).first()
    if row is None:
        raise ApiError(404, "not_found", {"axe": AXE_NOT_FOUND, "objectif": OBJECTIF_NOT_FOUND,
                                          "indicateur": INDICATEUR_NOT_FOUND}[what])
    session.execute(table.delete().where(table.c.id == item_id))
    audit(session, identity, f"grille.{what}_deleted", cpom_id, code=row.code)


def import_grid(session: Connection, identity: Identity, cpom_id: str, document) -> dict:
    """Replace the grid with `document`. Axes, objectives and indicators are matched by code: those kept
    keep the gestionnaire's actions and values (an indicator whose type or declinaison changes loses its
    values); those left out are deleted with theirs. All or nothing."""
    try:
        parsed = domain.parse_grid(document, _et_set(session, cpom_id))
    except domain.GridError as exc:
        raise invalid(exc.errors, f"La grille contient {len(exc.errors)} erreur(s) : rien n'a été importé.")
    old_axes = {r["code"]: r for r in session.execute(sa.select(axes).where(axes.c.cpom_id == cpom_id)).mappings()}
    old_objectifs = {r["code"]: r for r in session.execute(
        sa.select(objectifs).where(objectifs.c.cpom_id == cpom_id)).mappings()}
    old_indicateurs = {r["code"]: r for r in session.execute(
        sa.select(indicateurs).where(indicateurs.c.cpom_id == cpom_id)).mappings()}
    kept = {"axe": set(), "objectif": set(), "indicateur": set()}
    counts = {"axes": 0, "objectifs": 0, "indicateurs": 0}
    position = {"objectif": 0, "indicateur": 0}
    for i, axe in enumerate(parsed, start=1):
        counts["axes"] += 1
        if axe["code"] in old_axes:
            axe_id = old_axes[axe["code"]]["id"]
            session.execute(axes.update().where(axes.c.id == axe_id).values(libelle=axe["libelle"], position=i))
        else:
            axe_id = session.execute(axes.insert().values(cpom_id=cpom_id, code=axe["code"], libelle=axe["libelle"],
                                                          position=i).returning(axes.c.id)).scalar_one()
        kept["axe"].add(axe["code"])
        for objectif in axe["objectifs"]:
            counts["objectifs"] += 1
            position["objectif"] += 1
            values = {k: objectif[k] for k in OBJECTIF_COLUMNS} | {"axe_id": axe_id, "position": position["objectif"]}
            old = old_objectifs.get(objectif["code"])
            if old is not None:
                objectif_id = old["id"]
                if old["element_selectionne_og"] not in objectif["elements_og"]:
                    values["element_selectionne_og"] = None
                session.execute(objectifs.update().where(objectifs.c.id == objectif_id).values(**values))
            else:
                objectif_id = session.execute(objectifs.insert().values(cpom_id=cpom_id, **values)
                                              .returning(objectifs.c.id)).scalar_one()
            _write_scope(session, objectif_id, objectif)
            kept["objectif"].add(objectif["code"])
            for indicateur in objectif["indicateurs"]:
                counts["indicateurs"] += 1
                position["indicateur"] += 1
                values = dict(indicateur) | {"objectif_id": objectif_id, "position": position["indicateur"]}
                old = old_indicateurs.get(indicateur["code"])
                if old is not None:
                    session.execute(indicateurs.update().where(indicateurs.c.id == old["id"]).values(**values))
                    if (old["type"], old["declinaison"]) != (indicateur["type"], indicateur["declinaison"]):
                        session.execute(valeurs.delete().where(valeurs.c.indicateur_id == old["id"]))
                else:
                    session.execute(indicateurs.insert().values(cpom_id=cpom_id, **values))
                kept["indicateur"].add(indicateur["code"])
    for table, olds, kind in ((indicateurs, old_indicateurs, "indicateur"), (objectifs, old_objectifs, "objectif"),
                              (axes, old_axes, "axe")):
        gone = [r["id"] for code, r in olds.items() if code not in kept[kind]]
        if gone:
            session.execute(table.delete().where(table.c.id.in_(gone)))
    audit(session, identity, "grille.imported", cpom_id, **counts)
    return counts


# -- the gestionnaire's part ----------------------------------------------------------------------

def save_entry(session: Connection, identity: Identity, cpom_id: str, objectif_id: str, entry: dict) -> None:
    """« Enregistrer » on the fiche Objectif: the actions (in order, at most 5) and/or the element selected
    by the OG (one of those the authorities offer)."""
    row = objectif_row(session, cpom_id, objectif_id, lock=True)
    errors: dict = {}
    if "element_selectionne_og" in entry:
        choice = entry["element_selectionne_og"]
        if choice is not None and (not row["elements_og"] or choice not in row["elements_og"]):
            errors["element_selectionne_og"] = ("l'option n'est pas activée pour cet objectif" if not row["elements_og"]
                                                else "valeurs possibles : " + ", ".join(row["elements_og"]))
    if "actions" in entry:
        items, problems = domain.parse_actions(entry["actions"])
        errors.update(problems)
    if errors:
        if "actions" in errors and "au plus" in errors["actions"]:
            raise invalid(errors, domain.TOO_MANY_ACTIONS)
        raise invalid(errors)
    if "element_selectionne_og" in entry:
        session.execute(objectifs.update().where(objectifs.c.id == objectif_id)
                        .values(element_selectionne_og=entry["element_selectionne_og"], updated_at=sa.func.now()))
    if "actions" in entry:
        current = {r.numero: r.libelle for r in session.execute(
            sa.select(actions.c.numero, actions.c.libelle).where(actions.c.objectif_id == objectif_id))}
        wanted = dict(enumerate(items, start=1))
        for numero in set(current) - set(wanted):
            session.execute(actions.delete().where(actions.c.objectif_id == objectif_id, actions.c.numero == numero))
        for numero, libelle in wanted.items():
            if current.get(numero) == libelle:
                continue  # unchanged: keeps its date
            if numero in current:
                session.execute(actions.update().where(actions.c.objectif_id == objectif_id,
                                                       actions.c.numero == numero)
                                .values(libelle=libelle, updated_by=identity.email, updated_at=sa.func.now()))
            else:
                session.execute(actions.insert().values(objectif_id=objectif_id, numero=numero, libelle=libelle,
                                                        updated_by=identity.email))
    audit(session, identity, "saisie.objectif_saved", cpom_id, code=row["code"], champs=sorted(entry))


def add_action(session: Connection, identity: Identity, cpom_id: str, objectif_id: str, libelle: str) -> dict:
    """One more action; the sixth is refused."""
    row = objectif_row(session, cpom_id, objectif_id, lock=True)  # one writer at a time for this objective
    count = session.execute(sa.select(sa.func.count()).where(actions.c.objectif_id == objectif_id)).scalar_one()
    if count >= domain.MAX_ACTIONS:
        raise invalid({"actions": f"au plus {domain.MAX_ACTIONS} actions"}, domain.TOO_MANY_ACTIONS)
    item = session.execute(actions.insert().values(objectif_id=objectif_id, numero=count + 1, libelle=libelle,
                                                   updated_by=identity.email).returning(actions)).mappings().one()
    audit(session, identity, "saisie.action_added", cpom_id, code=row["code"], numero=count + 1)
    return {"numero": item["numero"], "libelle": item["libelle"], "modifie_le": iso(item["updated_at"]),
            "modifie_par": item["updated_by"]}


def save_values(session: Connection, identity: Identity, cpom_id: str, indicateur_id: str, items) -> None:
    """« Enregistrer » on the fiche indicateur: {"valeurs": [{"etablissement": FINESS (ET par ET only),
    "valeur" | "numerateur" + "denominateur"}, …]}; an item with "effacer": true removes the value. All or
    nothing."""
    row = indicateur_row(session, cpom_id, indicateur_id)
    grid = load(session, cpom_id)
    _, objectif, _ = _find(grid, indicateur_id=indicateur_id)
    applies = domain.objectif_ets(objectif, grid["etablissements"])
    if not isinstance(items, list) or not items:
        raise invalid({"valeurs": "une liste non vide de valeurs est attendue"})
    errors: dict = {}
    writes: dict[str, dict | None] = {}
    for i, raw in enumerate(items):
        where = f"valeurs[{i}]"
        if not isinstance(raw, dict):
            errors[where] = "un objet est attendu"
            continue
        finess = raw.get("etablissement")
        if row["declinaison"] == "cpom":
            if finess not in (None, ""):
                errors[f"{where}.etablissement"] = "indicateur décliné au niveau du CPOM : pas d'établissement"
                continue
            key = ""
        else:
            if not isinstance(finess, str) or finess not in applies:
                errors[f"{where}.etablissement"] = ("obligatoire (indicateur ET par ET)" if not finess else
                                                    f"{finess} n'est pas dans le périmètre de l'objectif")
                continue
            key = finess
        if key in writes:
            errors[f"{where}.etablissement"] = "valeur donnée deux fois"
            continue
        if raw.get("effacer") is True:
            writes[key] = None
            continue
        columns = domain.parse_value(row["type"], raw, where, errors, row["regles"])
        if columns:
            writes[key] = columns
    if errors:
        raise invalid(errors)
    for key, columns in writes.items():
        session.execute(valeurs.delete().where(valeurs.c.indicateur_id == indicateur_id, valeurs.c.et_finess == key))
        if columns is not None:
            session.execute(valeurs.insert().values(indicateur_id=indicateur_id, et_finess=key,
                                                    updated_by=identity.email, **columns))
    audit(session, identity, "saisie.valeurs_saved", cpom_id, code=row["code"],
          etablissements=[k or "CPOM" for k in writes])


# -- « Remarques » --------------------------------------------------------------------------------

def remarks(session: Connection, cpom_id: str) -> list[dict]:
    rows = session.execute(sa.select(remarques).where(remarques.c.cpom_id == cpom_id)
                           .order_by(remarques.c.created_at, remarques.c.id)).mappings()
    return [remark_view(r) for r in rows]


def remark_view(row) -> dict:
    return {"id": row["id"], "texte": row["texte"], "auteur": row["auteur_email"], "role": row["auteur_role"],
            "le": iso(row["created_at"])}


def add_remark(session: Connection, identity: Identity, cpom_id: str, text: str) -> dict:
    row = session.execute(remarques.insert().values(cpom_id=cpom_id, texte=text, auteur_id=identity.user_id,
                                                    auteur_email=identity.email, auteur_role=identity.role)
                          .returning(remarques)).mappings().one()
    audit(session, identity, "remarque.added", cpom_id)
    return remark_view(row)
