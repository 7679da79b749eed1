"""HTTP API of the contracts service (reached as /api/contracts/… through the gateway)."""

from datetime import date

from flask import Blueprint, jsonify, request

from ecars_common.app import unit_of_work
from ecars_common.errors import ApiError
from ecars_common.numbers import whole_number
from ecars_common.payload import bool_field, json_object, string_field
from ecars_common.tokens import authenticated, current_identity
from services.contracts import (
    campaigns,
    domain,
    evaluation,
    holders,
    progress,
    receipt,
    template_xlsx,
    whole_contract,
)

bp = Blueprint("contracts", __name__)
PAGE_SIZE = 20



def date_field(data: dict, name: str) -> date:
    value = string_field(data, name, max_length=10)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ApiError(422, "validation_failed", f"« {name} » doit être une date AAAA-MM-JJ.", {name: "date invalide"})


def calendar_fields(data: dict) -> dict:
    """The optional entry calendar: "opens_on" and "closes_on" (AAAA-MM-JJ or null), closing after opening."""
    dates = {name: date_field(data, name) if data.get(name) is not None else None for name in ("opens_on", "closes_on")}
    if dates["opens_on"] and dates["closes_on"] and dates["closes_on"] < dates["opens_on"]:
        raise ApiError(422, "validation_failed", "La date de clôture précède la date d'ouverture.",
                       {"closes_on": "doit suivre opens_on"})
    return dates


def int_field(data: dict, name: str, low: int, high: int) -> int:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(422, "validation_failed", f"« {name} » doit être un entier entre {low} et {high}.",
                       {name: f"entier entre {low} et {high}"})
    return value


# -- the establishment ----------------------------------------------------------------------------

@bp.get("/ej")
@authenticated
def list_ejs():
    """« Gestion des contrats »: sortable (raison_sociale, adresse, telephone), 20 per page."""
    sort = request.args.get("sort", "raison_sociale")
    page = request.args.get("page", "1")
    if whole_number(page, 1, 1_000_000) is None:
        raise ApiError(422, "validation_failed", "« page » doit être un entier positif.", {"page": "entier ≥ 1"})
    with unit_of_work() as session:
        rows, total = campaigns.my_ejs(session, current_identity(), sort.lstrip("-"), sort.startswith("-"),
                                       int(page), PAGE_SIZE)
    return jsonify({"items": rows, "page": int(page), "pages": max(1, -(-total // PAGE_SIZE)), "total": total})


@bp.get("/ej/<finess>/contracts")
@authenticated
def list_contracts(finess: str):
    with unit_of_work() as session:
        items = campaigns.contracts_of_ej(session, current_identity(), finess)
    return jsonify({"items": items})


@bp.get("/contracts/<uuid:contract_id>")
@authenticated
def show_contract(contract_id):
    with unit_of_work() as session:
        return jsonify(evaluation.contract_view(session, current_identity(), str(contract_id)))


@bp.get("/contracts/<uuid:contract_id>/indicators/<code>")
@authenticated
def show_indicator(contract_id, code: str):
    with unit_of_work() as session:
        return jsonify(evaluation.indicator_view(session, current_identity(), str(contract_id), code))


def answers_and_comment(data: dict) -> tuple[dict, str]:
    """An indicator form's body, saved or kept as a draft: {"answers": {question code: value}, "comment": "..."}."""
    answers = data.get("answers", {})
    if not isinstance(answers, dict):
        raise ApiError(422, "validation_failed", "« answers » doit être un objet {code question: valeur}.",
                       {"answers": "objet attendu"})
    return answers, string_field(data, "comment", max_length=domain.MAX_TEXT, required=False)


@bp.put("/contracts/<uuid:contract_id>/indicators/<code>")
@authenticated
def save_indicator(contract_id, code: str):
    """« Enregistrer »: {"version": n, "answers": {question code: value}, "comment": "..."}."""
    data = json_object()
    answers, comment = answers_and_comment(data)
    version = int_field(data, "version", 0, 2**31 - 1)
    with unit_of_work() as session:
        result = evaluation.save(session, current_identity(), str(contract_id), code, answers, comment, version)
    return jsonify(result)


@bp.post("/contracts/<uuid:contract_id>/close")
@authenticated
def close_contract(contract_id):
    """« Clore la saisie »."""
    with unit_of_work() as session:
        return jsonify(evaluation.close(session, current_identity(), str(contract_id)))


@bp.get("/contracts/<uuid:contract_id>/receipt")
@authenticated
def closing_receipt(contract_id):
    """The receipt of the closing (read by the reporting service, which prints it as a PDF)."""
    with unit_of_work() as session:
        return jsonify(receipt.receipt(session, current_identity(), str(contract_id)))


@bp.get("/contracts/<uuid:contract_id>/export")
@authenticated
def export_data(contract_id):
    """Everything « EDITER LES DONNEES » prints (used by the reporting service with the caller's token)."""
    with unit_of_work() as session:
        return jsonify(whole_contract.export(session, current_identity(), str(contract_id)))


# -- the ARS --------------------------------------------------------------------------------------

@bp.post("/campaigns")
@authenticated
def create_campaign():
    """{"name", "evaluated_year", "starts_on", "ends_on", "region", "template": {"indicators": [...]}}."""
    data = json_object()
    name = string_field(data, "name", max_length=200)
    year = int_field(data, "evaluated_year", 2000, 2100)
    starts_on, ends_on = date_field(data, "starts_on"), date_field(data, "ends_on")
    if ends_on < starts_on:
        raise ApiError(422, "validation_failed", "La date de fin précède la date de début.",
                       {"ends_on": "doit suivre starts_on"})
    region = string_field(data, "region", max_length=100)
    calendar = calendar_fields(data)
    try:
        template = domain.parse_template(data.get("template"))
    except domain.TemplateError as exc:
        raise ApiError(422, "invalid_template", f"La trame d'indicateurs contient {len(exc.errors)} erreur(s) : "
                                                "rien n'a été importé.", {"errors": exc.errors})
    with unit_of_work() as session:
        created = campaigns.create_campaign(session, current_identity(), name, year, starts_on, ends_on, region,
                                            template, **calendar)
    return jsonify(created), 201


@bp.post("/campaigns/template")
@authenticated
def check_template():
    """Read an indicator template from a spreadsheet (raw .xlsx body) or a JSON document, and answer it
    as JSON (to create a campaign with), or every error with its row and column."""
    campaigns.require_ars(current_identity())
    body = request.get_data()  # cached: the JSON branch reads it again
    if len(body) > 5 * 1024 * 1024:
        raise ApiError(413, "too_large", "Le fichier de trame dépasse 5 Mo.")
    try:
        if request.mimetype == "application/json":
            template = domain.parse_template(json_object())
        else:
            template = template_xlsx.parse(body)
    except domain.TemplateError as exc:
        raise ApiError(422, "invalid_template", f"La trame d'indicateurs contient {len(exc.errors)} erreur(s) : "
                                                "rien n'a été importé.", {"errors": exc.errors})
    return jsonify({"template": domain.template_as_json(template), "indicators": len(template)})


@bp.get("/campaigns/<uuid:campaign_id>/progress")
@authenticated
def campaign_progress(campaign_id):
    """The campaign's contracts, one page, filtered and sorted, with the totals (progress.py)."""
    wanted = progress.Query.from_args(request.args)
    with unit_of_work() as session:
        return jsonify(progress.progress(session, current_identity(), str(campaign_id), wanted))


@bp.post("/campaigns/<uuid:campaign_id>/contracts")
@authenticated
def create_contract(campaign_id):
    data = json_object()
    fields = {"name": string_field(data, "name", max_length=300),
              "ej_finess": string_field(data, "ej_finess", max_length=9),
              "ej_raison_sociale": string_field(data, "ej_raison_sociale", max_length=300),
              "ej_adresse": string_field(data, "ej_adresse", max_length=300, required=False),
              "ej_telephone": string_field(data, "ej_telephone", max_length=30, required=False),
              "referent_email": string_field(data, "referent_email", max_length=254, required=False)}
    if len(fields["ej_finess"]) != 9:
        raise ApiError(422, "validation_failed", "Le FINESS juridique compte 9 caractères.",
                       {"ej_finess": "9 caractères"})
    with unit_of_work() as session:
        created = campaigns.create_contract(session, current_identity(), str(campaign_id), fields)
    return jsonify(created), 201


@bp.put("/contracts/<uuid:contract_id>/restrictions/<code>")
@authenticated
def restrict_indicator(contract_id, code: str):
    """Restrict an indicator to named users or roles: {"roles": [...], "user_ids": [...], "hidden": bool}."""
    data = json_object()
    lists = {}
    for name in ("roles", "user_ids"):
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 100 for v in value):
            raise ApiError(422, "validation_failed", f"« {name} » doit être une liste de textes.", {name: "liste"})
        lists[name] = value
    hidden = bool_field(data, "hidden")
    with unit_of_work() as session:
        result = campaigns.restrict(session, current_identity(), str(contract_id), code, lists["roles"],
                                    lists["user_ids"], hidden)
    return jsonify(result)


@bp.put("/contracts/<uuid:contract_id>/restrictions/<code>/holders")
@authenticated
def reassign_indicator(contract_id, code: str):
    """« Réattribuer » a restricted indicator: {"user_ids": [collaborators of the EJ]} (the EJ's Administrateur)."""
    user_ids = json_object().get("user_ids")
    if not isinstance(user_ids, list) or not 0 < len(user_ids) <= 50 or not all(
            isinstance(v, str) and 0 < len(v) <= 100 for v in user_ids):
        raise ApiError(422, "validation_failed", "« user_ids » doit être une liste non vide d'identifiants.",
                       {"user_ids": "liste non vide"})
    with unit_of_work() as session:
        return jsonify(holders.reassign(session, current_identity(), str(contract_id), code, user_ids))


@bp.post("/contracts/<uuid:contract_id>/accept")
@authenticated
def accept_contract(contract_id):
    with unit_of_work() as session:
        return jsonify(campaigns.review(session, current_identity(), str(contract_id), "accept", ""))


@bp.post("/contracts/<uuid:contract_id>/reopen")
@authenticated
def reopen_contract(contract_id):
    reason = string_field(json_object(), "reason", max_length=2000)
    with unit_of_work() as session:
        return jsonify(campaigns.review(session, current_identity(), str(contract_id), "reopen", reason))


@bp.get("/territoire/clotures")
@authenticated
def territory_closings():
    """The ARS back-office view: the self-evaluations closed in the caller's region, newest first."""
    with unit_of_work() as session:
        return jsonify({"items": campaigns.closings(session, current_identity())})
