"""« Transmettre les informations »: when the gestionnaire's part is complete, a full snapshot of the CPOM
is frozen with the next version number (1, 2, … per CPOM), with what changed since the previous one, and
published as `cpom.information.transmitted` (to notifications and the ARS back-office; docs/backoffice.md)."""

from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.tokens import Identity
from services.cpom import domain, folder_documents, grid_views, receipt, remarks
from services.cpom.audit import audit, publish
from services.cpom.orm import cpoms, ej, transmissions
from services.cpom.sheet import authorities_to_inform, iso, planning_of, team_of


def snapshot(session: Connection, row) -> dict:
    """Everything the authorities receive: the CPOM's sheet, its ETs, every objective with its actions and
    indicators with their values (per ET of the objective's perimeter, or one for the CPOM), the remarks."""
    owner = session.execute(sa.select(ej).where(ej.c.finess == row["ej_finess"])).mappings().one()
    loaded = grid_views.load(session, row["id"])
    objectives = []
    for o in grid_views.objectives_of(loaded):
        objectives.append({
            "code": o["code"], "libelle": o["libelle"], "description": o["description"], "axe": o["axe"],
            "perimetre": o["perimetre"], "elements_og": o["elements_og"],
            "element_selectionne_og": o["element_selectionne_og"],
            "actions": [{"numero": a["numero"], "libelle": a["libelle"]} for a in o["actions"]],
            "indicateurs": [{
                "code": i["code"], "libelle": i["libelle"], "type": i["type"], "categorie": i["categorie"],
                "declinaison": i["declinaison"], "indications": i["indications"],
                "valeurs": [{k: v[k] for k in ("etablissement", "valeur", "numerateur", "denominateur", "taux",
                                               "valeur_libelle")} for v in i["valeurs"]],
            } for i in o["indicateurs"]],
        })
    return {
        "cpom": {"id": row["id"], "nom": row["nom"],
                 "ej": {"finess": owner["finess"], "raison_sociale": owner["raison_sociale"]},
                 "statut": {"code": row["statut"], "libelle": domain.PHASE_LABELS[row["statut"]]},
                 "competence": row["competence"], "departements": list(row["departements"]),
                 "planning": planning_of(row)},
        "etablissements": [{k: e[k] for k in ("finess", "nom", "region", "domaine", "adresse")}
                           for e in loaded["etablissements"]],
        "objectifs": objectives,
        "remarques": [{k: r[k] for k in ("id", "texte", "auteur", "le")} for r in remarks.remarks(session, row["id"])],
    }


def missing(session: Connection, row) -> list[dict]:
    loaded = grid_views.load(session, row["id"])
    return domain.missing_items(grid_views.objectives_of(loaded), loaded["etablissements"])


@dataclass
class Outcome:
    status: str  # "ok" | "incomplete" | "unchanged"
    missing: list[dict] = field(default_factory=list)
    transmission: dict | None = None
    previous: int | None = None


def transmit(session: Connection, identity: Identity, cpom_id: str) -> Outcome:
    # the CPOM row is locked: two clicks at once get versions n and n+1, never the same one
    row = session.execute(sa.select(cpoms).where(cpoms.c.id == cpom_id).with_for_update()).mappings().one()
    gaps = missing(session, row)
    if gaps:
        return Outcome("incomplete", missing=gaps)
    current = snapshot(session, row)
    previous = session.execute(sa.select(transmissions).where(transmissions.c.cpom_id == cpom_id)
                               .order_by(transmissions.c.version.desc()).limit(1)).mappings().first()
    changes = domain.changes_between(previous["snapshot"], current) if previous else []
    if previous is not None and not changes:
        return Outcome("unchanged", previous=previous["version"])
    version = (previous["version"] if previous else 0) + 1
    now = datetime.now(UTC)
    documents = folder_documents.shown_in_receipts(session, cpom_id)
    stored = session.execute(transmissions.insert().values(
        cpom_id=cpom_id, version=version, transmitted_at=now, transmitted_by_id=identity.user_id,
        transmitted_by_email=identity.email, snapshot=current, changes=changes, documents=documents,
        receipt_hash=receipt.digest(current, documents)).returning(transmissions)
    ).mappings().one()
    team = team_of(session, cpom_id)
    publish(session, "cpom.information.transmitted", {
        "transmission_id": stored["id"],
        "cpom_id": cpom_id,
        "cpom_name": row["nom"],
        "ej_finess": current["cpom"]["ej"]["finess"],
        "ej_raison_sociale": current["cpom"]["ej"]["raison_sociale"],
        "competence": row["competence"],
        "departements": list(row["departements"]),
        "regions": sorted({e["region"] for e in current["etablissements"]}),
        "version": version,
        "previous_version": previous["version"] if previous else None,
        "transmitted_at": now.isoformat(),
        "transmitted_by_user_id": identity.user_id,
        "transmitted_by_email": identity.email,
        "authorities": authorities_to_inform(team),
        "snapshot": current,
        "changes": changes,
        "receipt": receipt.document_of(stored),
        "contacts": receipt.contacts_of(team, identity.email),
    })
    audit(session, identity, "transmission.sent", cpom_id, version=version, changements=len(changes))
    return Outcome("ok", transmission=item(stored, with_snapshot=False))


def item(row, with_snapshot: bool) -> dict:
    result = {"version": row["version"], "transmise_le": iso(row["transmitted_at"]),
              "transmise_par": row["transmitted_by_email"], "nb_changements": len(row["changes"]),
              "changes": row["changes"]}
    if with_snapshot:
        result["snapshot"] = row["snapshot"]
    return result


def history(session: Connection, cpom_id: str) -> list[dict]:
    rows = session.execute(sa.select(transmissions).where(transmissions.c.cpom_id == cpom_id)
                           .order_by(transmissions.c.version.desc())).mappings()
    return [item(r, with_snapshot=False) for r in rows]


def row_of(session: Connection, cpom_id: str, version: int):
    if version > 2**31 - 1:  # past the column's integer: PostgreSQL would refuse the comparison (a 500)
        return None
    return session.execute(sa.select(transmissions).where(transmissions.c.cpom_id == cpom_id,
                                                          transmissions.c.version == version)).mappings().first()


def one(session: Connection, cpom_id: str, version: int) -> dict | None:
    row = row_of(session, cpom_id, version)
    return item(row, with_snapshot=True) if row else None


def receipt_of(session: Connection, cpom_id: str, version: int) -> dict | None:
    """The receipt of transmission n° `version`; None if there is none (or it was made before receipts)."""
    row = row_of(session, cpom_id, version)
    return receipt.document_of(row) if row and row["receipt_hash"] else None
