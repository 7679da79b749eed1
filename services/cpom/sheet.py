"""« CPOM - Contractualisation »: the CPOM sheet (name, EJ, status, competence, départements, planning,
validation, Equipe Projet, ETs of the perimeter, amendments) and its changes, each audited."""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.cpom import domain
from services.cpom.access import Access, access_to
from services.cpom.audit import audit
from services.cpom.forms import invalid
from services.cpom.orm import (
    avenants,
    cpom_etablissements,
    cpoms,
    ej,
    equipe,
    et,
    objectif_etablissements,
    objectifs,
    transmissions,
)

TEAM_ORDER = ("referent", "co_referent", "autorites", "etablissement")


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def planning_of(row) -> dict:
    return {name: (row[name] if name == "annee_dialogue_gestion" else iso(row[name])) for name, _ in domain.PLANNING}


def perimeter(session: Connection, cpom_id: str) -> list[dict]:
    rows = session.execute(
        sa.select(et).join(cpom_etablissements, cpom_etablissements.c.et_finess == et.c.finess)
        .where(cpom_etablissements.c.cpom_id == cpom_id).order_by(et.c.nom, et.c.finess)).mappings()
    return [{"finess": r["finess"], "nom": r["nom"], "etablissement": f"{r['finess']} - {r['nom']}",
             "region": r["region"], "domaine": r["domaine"], "adresse": r["adresse"]} for r in rows]


def team_of(session: Connection, cpom_id: str) -> dict:
    result = {"referent": None, "co_referent": None, "autorites": [], "etablissement": []}
    rows = session.execute(sa.select(equipe).where(equipe.c.cpom_id == cpom_id)
                           .order_by(equipe.c.equipe, equipe.c.position)).mappings()
    for row in rows:
        person = {k: row[k] for k in ("nom_complet", "fonction", "telephone", "telephone_mobile", "courriel")}
        if row["equipe"] in ("referent", "co_referent"):
            result[row["equipe"]] = person
        else:
            result[row["equipe"]].append(person)
    return result


def authorities_to_inform(team: dict) -> list[dict]:
    """The ARS and CD team of the CPOM (référent, co-référent, Equipe ARS et CD) who have an email."""
    people = [(name, team[name]) for name in ("referent", "co_referent") if team[name]]
    people += [("autorites", person) for person in team["autorites"]]
    seen, result = set(), []
    for role, person in people:
        if person["courriel"] and person["courriel"] not in seen:
            seen.add(person["courriel"])
            result.append({"nom_complet": person["nom_complet"], "email": person["courriel"], "equipe": role})
    return result


def validation_of(row) -> dict:
    required = domain.required_validations(row["competence"])

    def side(name: str) -> dict:
        given = row[f"validation_{name.lower()}"]
        return {"requise": name in required, "valide": given, "libelle": "Oui" if given else "Non",
                "le": iso(row[f"validation_{name.lower()}_le"]), "par": row[f"validation_{name.lower()}_par"]}

    return {"ars": side("ARS"), "cd": side("CD"), "requises": list(required),
            "complete": domain.is_validated(row["competence"], row["validation_ars"], row["validation_cd"])}


def view(session: Connection, row, access: Access) -> dict:
    """The sheet as the page shows it (labels in French where values are shown)."""
    owner = session.execute(sa.select(ej).where(ej.c.finess == row["ej_finess"])).mappings().one()
    last = session.execute(sa.select(transmissions.c.version, transmissions.c.transmitted_at)
                           .where(transmissions.c.cpom_id == row["id"])
                           .order_by(transmissions.c.version.desc()).limit(1)).first()
    rank = domain.phase_rank(row["statut"])
    validated = domain.is_validated(row["competence"], row["validation_ars"], row["validation_cd"])
    may_move = access.rights()["changer_statut"]
    return {
        "id": row["id"],
        "nom": row["nom"],
        "ej": {"finess": owner["finess"], "raison_sociale": owner["raison_sociale"],
               "libelle": f"{owner['finess']} - {owner['raison_sociale']}"},
        "statut": {"code": row["statut"], "libelle": domain.PHASE_LABELS[row["statut"]], "rang": rank},
        # "accessible": the caller may move the CPOM to that phase now
        "statuts": [{"code": code, "libelle": text, "rang": i + 1,
                     "accessible": may_move and domain.transition_problem(row["statut"], code, validated) is None}
                    for i, (code, text) in enumerate(domain.PHASES)],
        "competence": row["competence"],
        "departements": list(row["departements"]),
        "cree_le": row["created_at"].date().isoformat(),
        "planning": planning_of(row),
        "validation": validation_of(row),
        "equipe": team_of(session, row["id"]),
        "etablissements": perimeter(session, row["id"]),
        "avenants": [{"id": a["id"], "numero": a["numero"], "date": iso(a["date"]), "objet": a["objet"],
                      "ajoute_par": a["created_by"], "ajoute_le": iso(a["created_at"])}
                     for a in session.execute(sa.select(avenants).where(avenants.c.cpom_id == row["id"])
                                              .order_by(avenants.c.numero)).mappings()],
        "derniere_transmission": {"version": last.version, "le": iso(last.transmitted_at)} if last else None,
        "droits": access.rights(),
    }


def _authority_competence_problem(identity: Identity, competence: str) -> str | None:
    authority = {"ars": "ARS", "cd": "CD"}.get(identity.role)
    if identity.role == "admin" or authority in domain.competent_authorities(competence):
        return None
    return f"un utilisateur {authority or identity.role} ne peut pas porter un CPOM de compétence {competence}"


def _check_perimeter(session: Connection, ej_finess: str, finess: list[str]) -> str | None:
    known = set(session.execute(sa.select(et.c.finess).where(et.c.ej_finess == ej_finess)).scalars())
    foreign = [f for f in finess if f not in known]
    return ("ET n'appartenant pas à l'EJ du CPOM : " + ", ".join(foreign)) if foreign else None


def create(session: Connection, identity: Identity, values: dict) -> tuple[dict, Access]:
    """A new CPOM in phase « 1 Préparation ». Its perimeter defaults to every ET of the EJ."""
    errors: dict = {}
    if values["ej_finess"] and session.execute(
            sa.select(ej.c.finess).where(ej.c.finess == values["ej_finess"])).first() is None:
        errors["ej_finess"] = "EJ inconnu : importez-le d'abord"
    if session.execute(sa.select(cpoms.c.id).where(cpoms.c.nom == values["nom"])).first() is not None:
        errors["nom"] = "un CPOM porte déjà ce nom"
    if problem := _authority_competence_problem(identity, values["competence"]):
        errors["competence"] = problem
    if errors:
        raise invalid(errors)
    if values.get("etablissements") is None:
        values["etablissements"] = list(session.execute(
            sa.select(et.c.finess).where(et.c.ej_finess == values["ej_finess"]).order_by(et.c.finess)).scalars())
    elif problem := _check_perimeter(session, values["ej_finess"], values["etablissements"]):
        raise invalid({"etablissements": problem})
    planning = {name: None for name, _ in domain.PLANNING} | values.get("planning", {})
    if problems := domain.planning_problems(planning):
        raise invalid({f"planning.{k}": v for k, v in problems.items()})
    row = session.execute(cpoms.insert().values(
        nom=values["nom"], ej_finess=values["ej_finess"], statut="preparation", competence=values["competence"],
        departements=values["departements"], created_by=identity.email, **planning).returning(cpoms)).mappings().one()
    for finess in values["etablissements"]:
        session.execute(cpom_etablissements.insert().values(cpom_id=row["id"], et_finess=finess))
    if "equipe" in values:
        _write_team(session, row["id"], values["equipe"])
    access = access_to(session, identity, row)
    if not access.visible or not access.rights()["modifier"]:
        raise invalid({"etablissements" if identity.role == "ars" else "departements":
                       "le CPOM doit concerner votre région (ARS) ou votre département (CD)"})
    audit(session, identity, "cpom.created", row["id"], nom=values["nom"], ej_finess=values["ej_finess"],
          competence=values["competence"])
    return row, access


def update(session: Connection, identity: Identity, row, values: dict):
    """Nom, compétence, départements, planning: the planning is checked as a whole once merged."""
    errors: dict = {}
    changes = {k: values[k] for k in ("nom", "competence", "departements") if k in values}
    if "nom" in changes and session.execute(
            sa.select(cpoms.c.id).where(cpoms.c.nom == changes["nom"], cpoms.c.id != row["id"])).first():
        errors["nom"] = "un CPOM porte déjà ce nom"
    if "competence" in changes and (problem := _authority_competence_problem(identity, changes["competence"])):
        errors["competence"] = problem
    if (identity.role == "cd" and "departements" in changes and identity.departement not in changes["departements"]):
        errors["departements"] = "votre département doit rester parmi les départements concernés"
    planning = {name: row[name] for name, _ in domain.PLANNING} | values.get("planning", {})
    errors.update({f"planning.{k}": v for k, v in domain.planning_problems(planning).items()})
    if errors:
        raise invalid(errors)
    changes |= values.get("planning", {})
    before = {k: _jsonable(row[k]) for k in changes}
    after = {k: _jsonable(v) for k, v in changes.items()}
    if changes:
        row = session.execute(cpoms.update().where(cpoms.c.id == row["id"])
                              .values(**changes, updated_at=sa.func.now()).returning(cpoms)).mappings().one()
        audit(session, identity, "cpom.updated", row["id"], before=before, after=after)
    return row


def _jsonable(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def change_status(session: Connection, identity: Identity, row, access: Access, target: str, motif: str):
    """Returns ("forbidden" | "invalid", message) or ("ok", row). Every attempt is audited."""
    if not access.rights()["changer_statut"]:
        audit(session, identity, "cpom.status_change_refused", row["id"], statut=row["statut"], vers=target,
              raison="role")
        return "forbidden", None
    validated = domain.is_validated(row["competence"], row["validation_ars"], row["validation_cd"])
    if problem := domain.transition_problem(row["statut"], target, validated):
        audit(session, identity, "cpom.status_change_refused", row["id"], statut=row["statut"], vers=target,
              raison=problem)
        return "invalid", problem
    before = row["statut"]
    row = session.execute(cpoms.update().where(cpoms.c.id == row["id"])
                          .values(statut=target, updated_at=sa.func.now()).returning(cpoms)).mappings().one()
    audit(session, identity, "cpom.status_changed", row["id"], avant=before, apres=target,
          libelle=f"{domain.PHASE_LABELS[before]} → {domain.PHASE_LABELS[target]}", motif=motif)
    return "ok", row


def set_validation(session: Connection, identity: Identity, row, access: Access, authority: str, given: bool):
    """Validation ARS by an ARS user, Validation CD by a CD user; only the sides the competence requires."""
    if authority not in domain.required_validations(row["competence"]):
        raise ApiError(409, "validation_not_applicable",
                       f"Ce CPOM relève de la compétence {row['competence']} : la validation {authority} ne "
                       "s'applique pas.", {"autorite": f"validations requises : "
                                                        f"{', '.join(domain.required_validations(row['competence']))}"})
    if not access.rights()[f"valider_{authority.lower()}"]:
        who = "ARS" if authority == "ARS" else "du conseil départemental"
        raise ApiError(403, "forbidden", f"Seul un utilisateur {who} peut donner la validation {authority} de ce CPOM.")
    side = authority.lower()
    values = {f"validation_{side}": given, f"validation_{side}_le": datetime.now(UTC) if given else None,
              f"validation_{side}_par": identity.email if given else None}
    row = session.execute(cpoms.update().where(cpoms.c.id == row["id"]).values(**values, updated_at=sa.func.now())
                          .returning(cpoms)).mappings().one()
    audit(session, identity, "cpom.validation_changed", row["id"], autorite=authority, valide=given)
    return row


def _write_team(session: Connection, cpom_id: str, team: dict) -> None:
    for name, people in team.items():
        session.execute(equipe.delete().where(equipe.c.cpom_id == cpom_id, equipe.c.equipe == name))
        for position, person in enumerate(people, start=1):
            session.execute(equipe.insert().values(cpom_id=cpom_id, equipe=name, position=position, **person))


def set_team(session: Connection, identity: Identity, row, team: dict) -> None:
    _write_team(session, row["id"], team)
    audit(session, identity, "cpom.team_changed", row["id"], equipes=sorted(team))


def set_perimeter(session: Connection, identity: Identity, row, finess: list[str]) -> None:
    """The ETs of the CPOM's perimeter (ETs of its EJ). An ET named in an objective's own perimeter cannot
    leave: change the objective first."""
    if problem := _check_perimeter(session, row["ej_finess"], finess):
        raise invalid({"etablissements": problem})
    current = set(session.execute(sa.select(cpom_etablissements.c.et_finess)
                                  .where(cpom_etablissements.c.cpom_id == row["id"])).scalars())
    leaving = current - set(finess)
    if leaving:
        used = session.execute(
            sa.select(objectifs.c.code, objectif_etablissements.c.et_finess)
            .join(objectif_etablissements, objectif_etablissements.c.objectif_id == objectifs.c.id)
            .where(objectifs.c.cpom_id == row["id"], objectif_etablissements.c.et_finess.in_(leaving))).all()
        if used:
            raise ApiError(409, "et_in_use", "Un établissement retiré est dans le périmètre d'un objectif : "
                           + ", ".join(f"{u.et_finess} (objectif {u.code})" for u in used) + ".",
                           {"etablissements": [u.et_finess for u in used]})
        session.execute(cpom_etablissements.delete().where(cpom_etablissements.c.cpom_id == row["id"],
                                                           cpom_etablissements.c.et_finess.in_(leaving)))
    for item in finess:
        if item not in current:
            session.execute(cpom_etablissements.insert().values(cpom_id=row["id"], et_finess=item))
    audit(session, identity, "cpom.perimeter_changed", row["id"], etablissements=finess)


def add_avenant(session: Connection, identity: Identity, row, when: date, objet: str) -> dict:
    number = session.execute(sa.select(sa.func.coalesce(sa.func.max(avenants.c.numero), 0) + 1)
                             .where(avenants.c.cpom_id == row["id"])).scalar_one()
    item = session.execute(avenants.insert().values(cpom_id=row["id"], numero=number, date=when, objet=objet,
                                                    created_by=identity.email).returning(avenants)).mappings().one()
    audit(session, identity, "cpom.avenant_added", row["id"], numero=number, date=when.isoformat())
    return {"id": item["id"], "numero": number, "date": when.isoformat(), "objet": objet,
            "ajoute_par": identity.email, "ajoute_le": iso(item["created_at"])}
