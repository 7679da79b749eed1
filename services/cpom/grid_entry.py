"""The gestionnaire's part of the grid: up to 5 actions per objective, « Élément sélectionné par l'OG », the
initial value of each indicator (per ET of the perimeter for « ET par ET »)."""


import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.tokens import Identity
from services.cpom import domain
from services.cpom.audit import audit
from services.cpom.forms import invalid
from services.cpom.grid_building import indicateur_row, objectif_row
from services.cpom.grid_views import find_in, load
from services.cpom.orm import actions, objectifs, valeurs
from services.cpom.sheet import iso


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
    _, objectif, _ = find_in(grid, indicateur_id=indicateur_id)
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
