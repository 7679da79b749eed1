"""Building the « Grille des objectifs » (the authorities): axes, objectives and indicators one by one or from
a JSON document, edited and deleted."""


import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.cpom import domain
from services.cpom.audit import audit
from services.cpom.forms import invalid
from services.cpom.grid_views import INDICATEUR_NOT_FOUND, OBJECTIF_NOT_FOUND
from services.cpom.orm import axes, indicateurs, objectif_etablissements, objectifs, valeurs
from services.cpom.sheet import perimeter

AXE_NOT_FOUND = "Axe introuvable dans ce CPOM."


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
