"""Organisations: EJ (FINESS juridique) and ET (FINESS géographique), imported from a CSV file; the home
list « Gestion des Contrats » and the EJ page (guide 004 « Depuis la page d'accueil », « Consulter un CPOM »)."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common import keyset
from ecars_common.db import contains_pattern
from ecars_common.tokens import Identity
from services.cpom import domain
from services.cpom.access import access_to, visible_ej_condition
from services.cpom.audit import audit
from services.cpom.orm import contrats, cpom_etablissements, cpoms, ej, equipe, et, region_counts

SORTS = {"etablissement": ej.c.finess, "finess": ej.c.finess, "raison_sociale": ej.c.raison_sociale,
         "adresse": ej.c.adresse, "telephone": ej.c.telephone}


def upsert(table: sa.Table, columns: tuple[str, ...]) -> sa.Insert:
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=["finess"], set_={**{name: statement.excluded[name] for name in columns},
                                         "updated_at": sa.func.now()})


UPSERT_EJ = upsert(ej, ("raison_sociale", "adresse", "telephone", "departement"))
UPSERT_ET = upsert(et, ("ej_finess", "nom", "region", "domaine", "adresse", "departement"))
# The regions that see each EJ (`ej.regions`, index ej_regions): those of its ETs and of its contracts.
REFRESH_REGIONS = sa.text(
    "UPDATE cpom.ej SET regions = ARRAY(SELECT region FROM cpom.et WHERE et.ej_finess = ej.finess UNION "
    "SELECT region FROM cpom.contrats WHERE contrats.ej_finess = ej.finess ORDER BY 1) WHERE finess = ANY(:finess)")


@dataclass
class ImportOutcome:
    errors: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


def import_csv(session: Connection, identity: Identity, rows: list[domain.CsvRow]) -> ImportOutcome:
    """All rows or none: any row in error and nothing is written. An existing FINESS is updated."""
    ej_rows = {r.finess: r for r in rows if r.type == "EJ" and not r.errors}
    et_rows = [r for r in rows if r.type == "ET"]
    known_ej = set(session.execute(sa.select(ej.c.finess)).scalars())
    et_finess = [r.finess for r in et_rows]
    existing_et = {row.finess: row.ej_finess for row in session.execute(
        sa.select(et.c.finess, et.c.ej_finess).where(et.c.finess.in_(et_finess)))}
    in_cpom = {row.et_finess: row.nom for row in session.execute(
        sa.select(cpom_etablissements.c.et_finess, cpoms.c.nom)
        .join(cpoms, cpoms.c.id == cpom_etablissements.c.cpom_id)
        .where(cpom_etablissements.c.et_finess.in_(et_finess)))}
    for row in et_rows:
        parent = row.values.get("finess_ej")
        if "finess_ej" not in row.errors and parent not in ej_rows and parent not in known_ej:
            row.errors["finess_ej"] = f"EJ {parent} inconnu : ajoutez sa ligne EJ au fichier ou importez-le d'abord"
        moved = existing_et.get(row.finess)
        if moved and parent and moved != parent and row.finess in in_cpom:
            row.errors["finess_ej"] = (f"l'ET est rattaché à l'EJ {moved} et fait partie du périmètre du CPOM "
                                       f"« {in_cpom[row.finess]} » : il ne peut pas changer d'EJ")
    bad = [r for r in rows if r.errors]
    if bad:
        return ImportOutcome(errors=[{"ligne": r.line, "type": r.type, "finess": r.finess, "erreurs": r.errors}
                                     for r in bad])
    counts = {"ej": {"crees": 0, "modifies": 0}, "et": {"crees": 0, "modifies": 0}}
    ej_values = []
    for row in rows:
        if row.type != "EJ":
            continue
        ej_values.append({"finess": row.finess, "raison_sociale": row.values["nom"], "adresse": row.values["adresse"],
                          "telephone": row.values["telephone"], "departement": domain.finess_departement(row.finess)})
        counts["ej"]["modifies" if row.finess in known_ej else "crees"] += 1
    et_values = []
    for row in et_rows:
        et_values.append({"finess": row.finess, "ej_finess": row.values["finess_ej"], "nom": row.values["nom"],
                          "region": row.values["region"], "domaine": row.values["domaine"],
                          "adresse": row.values["adresse"], "departement": domain.finess_departement(row.finess)})
        counts["et"]["modifies" if row.finess in existing_et else "crees"] += 1
    # One statement per table, its rows sent together (executemany): a region's file of thousands of rows is
    # imported in seconds, where a statement built and sent per row took minutes.
    if ej_values:
        session.execute(UPSERT_EJ, ej_values)
    if et_values:
        session.execute(UPSERT_ET, et_values)
        # the EJs of the file's ETs, and those an ET left
        touched = {row["ej_finess"] for row in et_values} | {existing_et[f] for f in et_finess if f in existing_et}
        session.execute(REFRESH_REGIONS, {"finess": sorted(touched)})
    audit(session, identity, "organisations.imported", **counts)
    return ImportOutcome(counts=counts)


def ej_item(row) -> dict:
    return {"finess": row["finess"], "raison_sociale": row["raison_sociale"],
            "etablissement": f"{row['finess']} - {row['raison_sociale']}", "adresse": row["adresse"],
            "telephone": row["telephone"]}


# The home list's flags, read for the rows of the page only (each an index lookup).
HAS_CONTRACTS = sa.exists().where(contrats.c.ej_finess == ej.c.finess).label("a_des_contrats")
HAS_CPOMS = sa.exists().where(cpoms.c.ej_finess == ej.c.finess).label("a_des_cpom")
# « Rechercher » by name or FINESS: the expression of index ej_search (migration 0009; a literal space, as a bound
# one would not match the index)
SEARCH = ej.c.finess + sa.literal_column("' '") + ej.c.raison_sociale
SEARCH_MAX = 100


# An ARS's total, as the triggers of migration 0011 keep it (no row: no EJ yet)
REGION_COUNT = sa.select(region_counts.c.ej).where(region_counts.c.region == sa.bindparam("region"))


def ej_total(session: Connection, identity: Identity, condition, search: str | None) -> int:
    """The list's total: kept for an ARS's whole region; else counted (a CD's département, an établissement user's
    few EJs, a search: each on its index, reading what it finds)."""
    if identity.role == "ars" and identity.region and not search:
        return session.execute(REGION_COUNT, {"region": identity.region}).scalar() or 0
    return session.execute(sa.select(sa.func.count()).select_from(ej).where(condition)).scalar_one()


def sort_key(sort: str) -> sa.ColumnElement:
    """The sort's expression, as the indexes of migration 0005 hold it (names case-insensitively)."""
    return ej.c.finess if sort in ("etablissement", "finess") else sa.func.lower(SORTS[sort])


def bound_to(sort: str, descending: bool, search: str | None) -> str:
    """The stamp the cursors of this list carry: its sort and its search."""
    return keyset.stamp("ej", sort, descending, search or "")


def list_ej(session: Connection, identity: Identity, sort: str, descending: bool, page: int,
            search: str | None = None, cursor: keyset.Cursor | None = None) -> dict:
    """« Gestion des Contrats »: the EJs the caller may see — interlocutor of, holder of a CPOM or a contract of,
    or, for an authority, those of its region / département —, whose FINESS or name holds `search` (any case),
    sorted (case-insensitively, by an index of migration 0005), 20 per page — the first pages by number, the others
    after or before a cursor's row (ecars_common/keyset.py) —, each with whether it has self-evaluation contracts
    and CPOMs. Two statements (the total, the page) whatever the size of the region."""
    condition = visible_ej_condition(session, identity)
    if search:
        condition = sa.and_(condition, SEARCH.ilike(contains_pattern(search)))
    total = ej_total(session, identity, condition, search)
    order = keyset.Keyset(sort_key(sort), ej.c.finess, descending)
    window = order.window(page, cursor, total)
    # the page first, then its flags: flags in the same SELECT were computed for every row OFFSET skips too
    shown = order.apply(sa.select(ej.c.finess).where(condition), window).subquery()
    rows = session.execute(sa.select(ej, HAS_CONTRACTS, HAS_CPOMS, order.key.label("sort_key"))
                           .where(ej.c.finess.in_(sa.select(shown.c.finess))).order_by(*order.order(window))
                           ).mappings()
    rows, paging = keyset.paging(rows, window, total, bound_to(sort, descending, search),
                                 key_of=lambda row: row["sort_key"], id_of=lambda row: row["finess"])
    return {"items": [{**ej_item(row), "a_des_contrats": row["a_des_contrats"], "a_des_cpom": row["a_des_cpom"]}
                      for row in rows],
            **paging, "par_page": keyset.PAGE_SIZE, "total": total, "tri": f"{'-' if descending else ''}{sort}",
            "q": search or "",
            "colonnes": [{"cle": "etablissement", "libelle": "Etablissement (EJ)"},
                         {"cle": "adresse", "libelle": "Adresse"}, {"cle": "telephone", "libelle": "Téléphone"}]}


def et_item(row) -> dict:
    return {"finess": row["finess"], "nom": row["nom"], "etablissement": f"{row['finess']} - {row['nom']}",
            "region": row["region"], "domaine": row["domaine"], "adresse": row["adresse"]}


def ej_page(session: Connection, identity: Identity, finess: str) -> dict | None:
    """The EJ page: details, « Liste de mes CPOM », « Liste des contacts », « Liste des établissements »;
    None if the caller may not see it."""
    row = session.execute(sa.select(ej).where(ej.c.finess == finess, visible_ej_condition(session, identity))
                          ).mappings().first()
    if row is None:
        return None
    mine = [c for c in session.execute(sa.select(cpoms).where(cpoms.c.ej_finess == finess)
                                       .order_by(cpoms.c.created_at.desc(), cpoms.c.nom)).mappings()
            if access_to(session, identity, c).visible]
    contacts, seen = [], set()
    if mine:
        for member in session.execute(
                sa.select(equipe).where(equipe.c.cpom_id.in_([c["id"] for c in mine]),
                                        equipe.c.equipe == "etablissement")
                .order_by(equipe.c.nom_complet, equipe.c.id)).mappings():
            key = member["courriel"] or member["nom_complet"]
            if key not in seen:
                seen.add(key)
                contacts.append({"nom_complet": member["nom_complet"], "fonction": member["fonction"],
                                 "courriel": member["courriel"], "telephone": member["telephone"]})
    ets = session.execute(sa.select(et).where(et.c.ej_finess == finess).order_by(et.c.nom, et.c.finess)).mappings()
    return {
        **ej_item(row), "departement": row["departement"],
        "cpoms": [{"id": c["id"], "nom": c["nom"], "cree_le": c["created_at"].date().isoformat(),
                   "statut": domain.PHASE_LABELS[c["statut"]], "raison_du_statut": domain.PHASE_LABELS[c["statut"]],
                   "competence": c["competence"],
                   "date_effet": c["date_effet"].isoformat() if c["date_effet"] else None} for c in mine],
        "contacts": contacts,
        "etablissements": [et_item(e) for e in ets],
    }
