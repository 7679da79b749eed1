"""The CPOM sheet: create, read, update, status, validation ARS/CD, team, perimeter, avenants, journal.
Routes and bodies: docs/cpom.md."""

from flask import Blueprint, jsonify

from ecars_common.app import unit_of_work
from ecars_common.errors import ApiError
from ecars_common.payload import json_object
from ecars_common.roles import AUTHORITIES
from ecars_common.tokens import authenticated, current_identity
from services.cpom import (
    access,
    domain,
    forms,
    sheet,
)
from services.cpom.access import load_cpom, require
from services.cpom.journal import rows as journal_rows

bp = Blueprint("cpom_sheet", __name__)


CREATE_FIELDS = ("nom", "ej_finess", "competence", "departements", "planning", "etablissements", "equipe")
UPDATE_FIELDS = ("nom", "competence", "departements", "planning")


def cpom_fields(data: dict, creating: bool) -> dict:
    forms.reject_unknown(data, CREATE_FIELDS if creating else UPDATE_FIELDS)
    errors: dict = {}
    values: dict = {}
    if creating or "nom" in data:
        values["nom"] = forms.text(data, "nom", errors)
    if creating:
        values["ej_finess"] = forms.text(data, "ej_finess", errors, max_length=9).upper()
        if values["ej_finess"] and (problem := domain.finess_problem(values["ej_finess"])):
            errors["ej_finess"] = problem
    if creating or "competence" in data:
        values["competence"] = forms.choice(data, "competence", errors, domain.COMPETENCES)
    if creating or "departements" in data:
        values["departements"] = forms.departements(data.get("departements"), errors)
    if "planning" in data:
        values["planning"] = forms.planning(data["planning"], errors)
    if creating and "etablissements" in data:
        values["etablissements"] = forms.finess_list(data["etablissements"], "etablissements", errors)
    if creating and "equipe" in data:
        values["equipe"] = forms.team(data["equipe"], errors)
    if errors:
        raise forms.invalid(errors)
    if not creating and not values:
        raise forms.invalid({"champs": "attendus : " + ", ".join(UPDATE_FIELDS)}, "Aucune donnée à modifier.")
    return values


@bp.post("/cpoms")
@authenticated
def create_cpom():
    identity = current_identity()
    if identity.role not in AUTHORITIES:
        raise access.forbidden("Seuls les utilisateurs ARS, CD et administrateurs créent un CPOM.")
    values = cpom_fields(json_object(), creating=True)
    with unit_of_work() as session:
        row, cpom_access = sheet.create(session, identity, values)
        return jsonify(sheet.view(session, row, cpom_access)), 201


@bp.get("/cpoms/<uuid:cpom_id>")
@authenticated
def show_cpom(cpom_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(sheet.view(session, row, cpom_access))


@bp.patch("/cpoms/<uuid:cpom_id>")
@authenticated
def update_cpom(cpom_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        values = cpom_fields(data, creating=False)
        row = sheet.update(session, current_identity(), row, values)
        return jsonify(sheet.view(session, row, cpom_access))


@bp.post("/cpoms/<uuid:cpom_id>/statut")
@authenticated
def change_status(cpom_id):
    """{"statut": "negociation", "motif": "…"}: to the next phase or back to the previous one."""
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        errors: dict = {}
        target = forms.choice(data, "statut", errors, domain.PHASE_CODES)
        motif = forms.text(data, "motif", errors, required=False, max_length=1000)
        if errors:
            raise forms.invalid(errors)
        status, result = sheet.change_status(session, current_identity(), row, cpom_access, target, motif)
        view = sheet.view(session, result, cpom_access) if status == "ok" else None
    if status == "forbidden":
        raise access.forbidden(access.REFUSALS["changer_statut"])
    if status == "invalid":
        raise ApiError(409, "transition_refused", f"Changement de statut refusé : {result}.", {"statut": result})
    return jsonify(view)


@bp.post("/cpoms/<uuid:cpom_id>/validation")
@authenticated
def validate(cpom_id):
    """{"autorite": "ARS" | "CD", "valide": true | false}."""
    data = json_object()
    errors: dict = {}
    authority = forms.choice(data, "autorite", errors, domain.AUTORITES)
    if not isinstance(data.get("valide"), bool):
        errors["valide"] = "true ou false attendu"
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        row = sheet.set_validation(session, current_identity(), row, cpom_access, authority, data["valide"])
        return jsonify(sheet.view(session, row, cpom_access))


@bp.put("/cpoms/<uuid:cpom_id>/equipe")
@authenticated
def set_team(cpom_id):
    """{"referent", "co_referent", "autorites", "etablissement"}: the lists sent replace the current ones.
    The gestionnaire may send only "etablissement"."""
    data = json_object()
    errors: dict = {}
    team = forms.team(data, errors)
    if errors:
        raise forms.invalid(errors)
    if not team:
        raise forms.invalid({"equipe": "attendus : " + ", ".join(forms.TEAMS)}, "Aucune donnée à modifier.")
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        rights = cpom_access.rights()
        if not rights["modifier"] and not (rights["saisir"] and set(team) == {"etablissement"}):
            raise access.forbidden("L'organisme gestionnaire ne modifie que l'Equipe Etablissement ; le reste de "
                                   "l'Equipe Projet est tenu par les autorités." if rights["saisir"]
                                   else access.REFUSALS["modifier"])
        sheet.set_team(session, current_identity(), row, team)
        return jsonify(sheet.team_of(session, row["id"]))


@bp.put("/cpoms/<uuid:cpom_id>/etablissements")
@authenticated
def set_perimeter(cpom_id):
    """{"etablissements": ["FINESS géographique", …]}: the ETs of the CPOM's perimeter (ETs of its EJ)."""
    data = json_object()
    forms.reject_unknown(data, ("etablissements",))
    errors: dict = {}
    finess = forms.finess_list(data.get("etablissements"), "etablissements", errors)
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        sheet.set_perimeter(session, current_identity(), row, finess)
        return jsonify({"etablissements": sheet.perimeter(session, row["id"])})


@bp.post("/cpoms/<uuid:cpom_id>/avenants")
@authenticated
def add_avenant(cpom_id):
    """{"date": "AAAA-MM-JJ", "objet": "…"} → 201 the amendment, numbered 1, 2, …"""
    data = json_object()
    forms.reject_unknown(data, ("date", "objet"))
    errors: dict = {}
    when, problem = domain.parse_planning_value("date", data.get("date"))
    if problem or when is None:
        errors["date"] = problem or "obligatoire"
    objet = forms.text(data, "objet", errors, max_length=2000)
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        return jsonify(sheet.add_avenant(session, current_identity(), row, when, objet)), 201


@bp.get("/cpoms/<uuid:cpom_id>/journal")
@authenticated
def journal(cpom_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "journal")
        return jsonify({"items": journal_rows(session, row["id"])})
