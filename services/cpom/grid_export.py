"""The CPOM grids of a territory for analysts (docs/cpom.md « Export des grilles du territoire »): every CPOM the
ARS (its region) or the CD (its département) may open, one row per CPOM × objective × indicator × ET, written as
CSV or XLSX (ecars_common/table_files.py) as it is read. CPOMs are read by batches (keyset on EJ, name, id), each
grid as the « Grille des objectifs » reads it (grid_views.load: the perimeter's rules, values of ETs out of scope
ignored), all in one read-only repeatable-read transaction: the file is one consistent picture, and memory holds
one batch of CPOM rows and one grid whatever the territory's size."""

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import table_files
from ecars_common.db import Database
from ecars_common.french import paris_moment
from ecars_common.tokens import Identity
from services.cpom import domain, grid_views
from services.cpom.access import visible_cpom_condition
from services.cpom.orm import cpoms, ej
from services.cpom.remarks import remarks

BATCH = 200
FORMATS = {"csv": (table_files.csv_chunks, table_files.CSV_TYPE),
           "xlsx": (table_files.xlsx_chunks, table_files.XLSX_TYPE)}
HEADER = ["FINESS juridique", "Raison sociale", "Département", "CPOM", "Statut du CPOM", "Compétence",
          "Départements concernés", "Axe", "Code objectif", "Objectif", "Code indicateur", "Indicateur", "Type",
          "Catégorie", "Déclinaison", "FINESS géographique", "Etablissement (ET)", "Valeur initiale", "Numérateur",
          "Dénominateur", "Saisie le", "Saisie par", "Remarques du CPOM"]
COLUMNS = (cpoms.c.id, cpoms.c.nom, cpoms.c.ej_finess, cpoms.c.statut, cpoms.c.competence, cpoms.c.departements,
           ej.c.raison_sociale, ej.c.departement)


def batch_query(identity: Identity, after: tuple | None) -> sa.Select:
    query = (sa.select(*COLUMNS).join(ej, ej.c.finess == cpoms.c.ej_finess).where(visible_cpom_condition(identity))
             .order_by(cpoms.c.ej_finess, cpoms.c.nom, cpoms.c.id).limit(BATCH))
    if after is not None:
        last = sa.tuple_(sa.literal(after[0]), sa.literal(after[1]), sa.literal(after[2], cpoms.c.id.type))
        query = query.where(sa.tuple_(cpoms.c.ej_finess, cpoms.c.nom, cpoms.c.id) > last)
    return query


def value_cells(kind: str, value: dict | None) -> list:
    """Valeur initiale (typed: a number, a text, « Oui »/« Non », a rate in %), numérateur, dénominateur, when, who."""
    if not value:
        return [None] * 5
    initial = value["valeur"]
    if kind == "oui_non" and initial is not None:
        initial = "Oui" if initial else "Non"
    when = datetime.fromisoformat(value["modifie_le"]) if value.get("modifie_le") else None
    return [initial, value["numerateur"], value["denominateur"], when, value.get("modifie_par") or None]


def remarks_text(items: list[dict]) -> str | None:
    return "\n".join(f"{paris_moment(item['le'])} – {item['auteur']} : {item['texte']}" for item in items) or None


def cpom_rows(cpom, grid: dict, notes: str | None) -> Iterator[list]:
    first = [cpom["ej_finess"], cpom["raison_sociale"], cpom["departement"], cpom["nom"],
             domain.PHASE_LABELS.get(cpom["statut"], cpom["statut"]),
             cpom["competence"], ", ".join(cpom["departements"])]
    names = {e["finess"]: e["nom"] for e in grid["etablissements"]}
    empty = True
    for axe in grid["axes"]:
        for objectif in axe["objectifs"]:
            head = first + [f"{axe['code']} - {axe['libelle']}", objectif["code"], objectif["libelle"]]
            applies = domain.objectif_ets(objectif, grid["etablissements"])
            if not objectif["indicateurs"]:
                empty = False
                yield head + [None] * 12 + [notes]
            for indicateur in objectif["indicateurs"]:
                empty = False
                kind = indicateur["type"]
                described = head + [indicateur["code"], indicateur["libelle"], domain.TYPE_LABELS.get(kind, kind),
                                    domain.CATEGORY_LABELS.get(indicateur["categorie"], indicateur["categorie"]),
                                    domain.DECLINAISON_LABELS.get(indicateur["declinaison"],
                                                                  indicateur["declinaison"])]
                stored = {v["etablissement"]: v for v in indicateur["valeurs"]}
                if indicateur["declinaison"] == "cpom":
                    yield described + [None, None] + value_cells(kind, stored.get(None)) + [notes]
                    continue
                for finess in applies:
                    yield described + [finess, names.get(finess)] + value_cells(kind, stored.get(finess)) + [notes]
    if empty:  # a CPOM whose grid is not built yet still has its line
        yield first + [None] * 15 + [notes]


def rows(session: Connection, identity: Identity) -> Iterator[list]:
    after = None
    while batch := session.execute(batch_query(identity, after)).mappings().all():
        for cpom in batch:
            yield from cpom_rows(cpom, grid_views.load(session, cpom["id"]), remarks_text(remarks(session, cpom["id"])))
        after = (batch[-1]["ej_finess"], batch[-1]["nom"], batch[-1]["id"])


def chunks(db: Database, identity: Identity, format: str) -> Iterator[bytes]:
    write, _ = FORMATS[format]
    with db.session() as session:
        session.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        yield from write(HEADER, rows(session, identity), "Grilles CPOM")


def filename(identity: Identity, format: str, today) -> str:
    territory = identity.region or identity.departement or "national"
    safe = "".join(c if c.isalnum() else "-" for c in territory)
    return f"grilles-cpom-{safe}-{today.isoformat()}.{format}"
