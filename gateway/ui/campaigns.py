"""The ARS's self-evaluation campaigns (guide 000): « Nouvelle campagne » from a spreadsheet template of
indicators (every error of the template named by row and column), the region's progress table with its
« Actions groupées » (bulk_form.py) and their summary, « Ajouter un contrat » for an EJ."""

from datetime import datetime
from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, session, url_for

from ecars_common import roles
from ecars_common.french import PARIS
from ecars_common.numbers import whole_number
from gateway.ui import bulk_form
from gateway.ui.french import moment, typed_date
from gateway.ui.pages import field_errors, login_required, page_blueprint, require_role
from gateway.ui.session import api_error, call, ok_json, unexpected

bp = page_blueprint("campaigns")

ARS_ONLY = "Réservé aux agents de l'ARS."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024  # what the contracts service accepts for a template
CAMPAIGN_LABELS = {"name": "Nom de la campagne", "evaluated_year": "Année évaluée", "starts_on": "Date de début",
                   "ends_on": "Date de fin", "opens_on": "Ouverture de la saisie", "closes_on": "Clôture de la saisie",
                   "region": "Région", "template": "Trame d'indicateurs (.xlsx)"}
CALENDAR = ("opens_on", "closes_on")  # optional: the entry's calendar (docs/campaigns.md « Calendrier »)
CONTRACT_LABELS = {"name": "Nom du contrat", "ej_finess": "FINESS juridique", "ej_raison_sociale": "Raison sociale",
                   "ej_adresse": "Adresse", "ej_telephone": "Téléphone", "referent_email": "Courriel du référent ARS"}


def contracts_call(method: str, path: str, json=None):
    return call("contracts", method, path, json=json)


def require_authority() -> None:
    require_role(roles.CAMPAIGN_AUTHORITIES, ARS_ONLY)


def my_region() -> str:
    answer = call("auth", "GET", "/me")
    return (answer.json().get("region") or "") if answer.status_code == 200 else ""


def campaign_form(form: dict | None = None, errors: dict | None = None, template_errors: list | None = None,
                  status: int = 200):
    return render_template("contracts/campaign_new.html", form=form or {"region": my_region()}, errors=errors or {},
                           template_errors=template_errors or [], labels=CAMPAIGN_LABELS), status


@bp.get("/campagnes/nouvelle")
@login_required
def campaign_new():
    require_authority()
    return campaign_form()


@bp.post("/campagnes/nouvelle")
@login_required
def campaign_create():
    """The template is read from the spreadsheet first (every error named by row and column), then the
    campaign is created with it."""
    require_authority()
    form = {name: request.form.get(name, "").strip() for name in ("name", "evaluated_year", "starts_on", "ends_on",
                                                                  "region", *CALENDAR)}
    errors = {}
    for name in ("name", "evaluated_year", "starts_on", "ends_on", "region"):
        if not form[name]:
            errors[name] = f"Renseignez le champ « {CAMPAIGN_LABELS[name]} »."
    if form["evaluated_year"] and whole_number(form["evaluated_year"], 1000, 9999) is None:
        errors["evaluated_year"] = "L'année évaluée s'écrit avec 4 chiffres (exemple : 2023)."
    dates = {}
    for name in ("starts_on", "ends_on", *CALENDAR):
        if form[name]:
            dates[name] = typed_date(form[name])
            if dates[name] is None:
                errors[name] = f"« {CAMPAIGN_LABELS[name]} » : une date est attendue (JJ/MM/AAAA)."
    if dates.get("starts_on") and dates.get("ends_on") and dates["ends_on"] < dates["starts_on"]:
        errors["ends_on"] = "La date de fin doit suivre la date de début."
    if dates.get("opens_on") and dates.get("closes_on") and dates["closes_on"] < dates["opens_on"]:
        errors["closes_on"] = "La clôture de la saisie ne peut pas précéder son ouverture."
    upload = request.files.get("template")
    content = b""
    if upload is None or not upload.filename:
        errors["template"] = "Sélectionnez la trame d'indicateurs (fichier .xlsx)."
    elif not upload.filename.lower().endswith(".xlsx"):
        errors["template"] = "La trame d'indicateurs doit être un classeur Excel (.xlsx)."
    else:
        content = upload.stream.read(TEMPLATE_MAX_BYTES + 1)
        if len(content) > TEMPLATE_MAX_BYTES:
            errors["template"] = "Le fichier de trame dépasse 5 Mo."
    if errors:
        return campaign_form(form, errors, status=422)
    answer = call("contracts", "POST", "/campaigns/template", content=content, headers={"Content-Type": XLSX})
    code, message, details = api_error(answer)
    if code == "invalid_template":
        return campaign_form(form, {"template": message}, template_errors=details.get("errors") or [], status=422)
    if code == "too_large":
        return campaign_form(form, {"template": message}, status=422)
    template = ok_json(answer)
    answer = contracts_call("POST", "/campaigns", json={
        "name": form["name"], "evaluated_year": int(form["evaluated_year"]), "starts_on": dates["starts_on"],
        "ends_on": dates["ends_on"], "region": form["region"], "template": template["template"],
        **{name: dates[name] for name in CALENDAR if dates.get(name)}})
    if answer.status_code == 201:
        created = answer.json()
        flash(f"La campagne « {created['name']} » est créée avec {template['indicators']} indicateur(s). "
              "Ajoutez maintenant les contrats des entités juridiques.", "success")
        return redirect(url_for("campaigns.campaign_view", campaign_id=created["id"]))
    code, message, details = api_error(answer)
    if code == "validation_failed":
        return campaign_form(form, field_errors(details, CAMPAIGN_LABELS) or {"_": message}, status=422)
    if code == "invalid_template":
        return campaign_form(form, {"template": message}, template_errors=details.get("errors") or [], status=422)
    if code == "forbidden":
        return campaign_form(form, {"region": message}, status=403)
    raise unexpected(answer)


# « Suivi des contrats »: what the ARS may ask the contracts service for, passed on as typed (it checks them).
PROGRESS_PARAMETERS = ("page", "sort", "status", "fill_min", "fill_max", "departement", "search")
FILTER_LABELS = {"status": "Statut", "fill_min": "Remplissage minimal (%)", "fill_max": "Remplissage maximal (%)",
                 "departement": "Département", "search": "Rechercher (nom ou FINESS)", "sort": "Tri", "page": "Page"}
PROGRESS_COLUMNS = (("name", "Contrat"), ("ej_raison_sociale", "Etablissement (EJ)"), ("departement", "Département"),
                    ("status", "Statut"), (None, "Revue"), ("fill_percentage", "Remplissage"))


def campaign_page(campaign_id: str, contract: dict | None = None, errors: dict | None = None, status: int = 200,
                  bulk: bulk_form.BulkForm | None = None, bulk_errors: dict | None = None):
    """One page of the campaign's contracts, filtered, sorted and counted by the contracts service; criteria it
    refuses are shown by their fields (422) above the campaign's unfiltered first page."""
    wanted = {name: request.args.get(name, "").strip() for name in PROGRESS_PARAMETERS}
    wanted = {name: value for name, value in wanted.items() if value}
    path = f"/campaigns/{campaign_id}/progress"
    answer = contracts_call("GET", f"{path}?{urlencode(wanted)}")
    filter_errors = {}
    if answer.status_code == 422:
        code, message, details = api_error(answer)
        filter_errors = field_errors(details, FILTER_LABELS) or {"_": message}
        answer, status = contracts_call("GET", path), 422
    progress = ok_json(answer)
    if progress["page"] > progress["pages"]:
        return redirect(url_for("campaigns.campaign_view", campaign_id=campaign_id,
                                **{**wanted, "page": progress["pages"]}))
    sort = wanted.get("sort", progress["sort"]) if not filter_errors else progress["sort"]
    criteria = {name: value for name, value in wanted.items() if name not in ("page", "sort")}

    def sort_url(key: str) -> str:
        return url_for("campaigns.campaign_view", campaign_id=campaign_id, **criteria,
                       sort=f"-{key}" if sort == key else key)

    def page_url(number: int) -> str:
        return url_for("campaigns.campaign_view", campaign_id=campaign_id, **criteria, sort=sort, page=number)

    contract = contract or {"referent_email": (session.get("user") or {}).get("email", "")}
    flagged = ok_json(contracts_call("GET", f"/campaigns/{campaign_id}/flags"))["items"]  # « À suivre », issue 18
    return render_template("contracts/campaign.html", progress=progress, contract=contract, errors=errors or {},
                           flagged=flagged, moment=moment,
                           adding=bool(errors) or request.args.get("ajouter") == "1", criteria=criteria,
                           filter_errors=filter_errors, sort=sort, sort_url=sort_url, page_url=page_url,
                           columns=PROGRESS_COLUMNS, bulk=bulk or bulk_form.BulkForm(), bulk_errors=bulk_errors or {},
                           bulk_actions=bulk_form.ACTIONS, bulk_scopes=bulk_form.SCOPES,
                           bulk_query=urlencode({**criteria, "sort": sort, "page": progress["page"]})), status


@bp.get("/campagnes/<uuid:campaign_id>")
@login_required
def campaign_view(campaign_id):
    """The region's progress table: one page of the campaign's contracts with their status and fill percentage,
    filtered (status, fill-rate range, département, name or FINESS) and sorted by the contracts service."""
    require_authority()
    return campaign_page(str(campaign_id))


@bp.post("/campagnes/<uuid:campaign_id>/contrats")
@login_required
def campaign_add_contract(campaign_id):
    require_authority()
    campaign_id = str(campaign_id)
    contract = {name: request.form.get(name, "").strip() for name in CONTRACT_LABELS}
    errors = {}
    for name in ("name", "ej_finess", "ej_raison_sociale"):
        if not contract[name]:
            errors[name] = f"Renseignez le champ « {CONTRACT_LABELS[name]} »."
    if contract["ej_finess"] and (len(contract["ej_finess"]) != 9 or not contract["ej_finess"].isalnum()):
        errors["ej_finess"] = "Le FINESS juridique compte 9 caractères (exemple : 350000000)."
    if not errors:
        answer = contracts_call("POST", f"/campaigns/{campaign_id}/contracts", json=contract)
        if answer.status_code == 201:
            flash(f"Le contrat « {contract['name']} » est ajouté pour l'EJ {contract['ej_finess']}.", "success")
            return redirect(url_for("campaigns.campaign_view", campaign_id=campaign_id))
        code, message, details = api_error(answer)
        if code != "validation_failed":
            raise unexpected(answer)
        errors = field_errors(details, CONTRACT_LABELS) or {"_": message}
    return campaign_page(campaign_id, contract=contract, errors=errors, status=422)


@bp.post("/campagnes/<uuid:campaign_id>/actions-groupees")
@login_required
def campaign_bulk(campaign_id):
    """The bulk action on the contracts ticked, on this page's or on the filter's (the criteria in force are the
    page's query string, kept in the form's address); then the summary page. A mistake: the page again, 422, with
    each field's French message and everything ticked and typed kept."""
    require_authority()
    campaign_id = str(campaign_id)
    sent, errors, body = bulk_form.read(request.form, request.args, datetime.now(PARIS).date())
    if body is not None:
        answer = contracts_call("POST", f"/campaigns/{campaign_id}/bulk", json=body)
        if answer.status_code == 200:
            back = url_for("campaigns.campaign_view", campaign_id=campaign_id, **request.args)
            session["bulk_summary"] = bulk_form.summary(answer.json(), campaign_id, back)
            return redirect(url_for("campaigns.campaign_bulk_summary", campaign_id=campaign_id))
        code, message, details = api_error(answer)
        if code != "validation_failed":
            raise unexpected(answer)
        errors = bulk_form.refused_fields(details, message)
    return campaign_page(campaign_id, bulk=sent, bulk_errors=errors, status=422)


@bp.get("/campagnes/<uuid:campaign_id>/actions-groupees/bilan")
@login_required
def campaign_bulk_summary(campaign_id):
    """What the last bulk action did and refused (and why), contract by contract."""
    require_authority()
    summary = session.get("bulk_summary")
    if not summary or summary["campaign_id"] != str(campaign_id):
        abort(404, "Aucune action groupée récente sur cette campagne.")
    return render_template("contracts/campaign_bulk_summary.html", summary=summary)
