"""The CPOM pages (guide 004, « Guide d'utilisation de l'extranet e-CARS médico-social »), rendered on the server
from the cpom service (sheet, grid, fiches, remarks, transmissions), the documents service (folders, documents de
référence) and the reporting service (the Word documents).

« Gestion des Contrats » (/accueil, EJs of contracts and of CPOMs) → the EJ page (its CPOM parts: `ej_sections`)
→ « CPOM - Contractualisation » (/cpom/<id>) with its « Documents », « Grille des objectifs », « Remarques » and
« Transmettre les informations » → « fiche Objectif » (actions, « Élément sélectionné par l'OG ») → « fiche
indicateur » (the « valeur initiale » ET par ET, a rate computed by the service)."""

from urllib.parse import quote, urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from ecars_common.errors import ApiError
from gateway.web import (
    api_error,
    login_required,
    page_blueprint,
    signed_in_call,
    unexpected,
)
from gateway.web_contracts import (
    french_number,
    human_size,
    moment,
    ok_json,
    raw_call,
    send_document,
    shown,
    streamed,
)

bp = page_blueprint("cpom_web")

PLANNING = (
    ("date_effet", "Date d'effet"),
    ("date_echeance", "Date d'échéance"),
    ("annee_dialogue_gestion", "Année prévisionnelle de dialogue gestion"),
    ("phase_diagnostic_planifiee", "Phase de diagnostic planifiée"),
    ("phase_negociation_planifiee", "Phase de négociation planifiée"),
    ("date_signature_cible", "Date de signature cible"),
    ("date_echeance_initiale", "Date d'échéance initiale"),
    ("fin_diagnostic", "Fin de diagnostic"),
    ("fin_negociation", "Fin de négociation"),
)
LIST_PAGES = 50  # at most this many pages of 20 EJs are read from each service for the home list
WORD_UNAVAILABLE = ("La génération du document Word n'est pas encore disponible : le service de génération est en "
                    "cours de mise en place. Réessayez plus tard.")
NO_FOLDER = "Sélectionnez d'abord le dossier dans lequel déposer le document."
NO_FILE = "Sélectionnez le fichier à ajouter."
DOCX = ("Content-Type", "Content-Disposition", "Content-Length")
DOWNLOAD = ("Content-Type", "Content-Length", "Content-Disposition", "ETag", "Cache-Control",
            "X-Content-Type-Options", "Content-Security-Policy")


def cpom_call(method: str, path: str, json=None):
    return signed_in_call(method, path, json=json, service="cpom")


def french_date(iso: str | None) -> str:
    return shown(iso) if iso else ""


@bp.record_once
def _template_helpers(state) -> None:
    state.app.jinja_env.globals.update(french_date=french_date, moment=moment)


# -- « Gestion des Contrats »: EJs of the contracts and of the CPOMs ------------------------------------

def _all_pages(service: str, path: str, sort: str) -> list[dict] | None:
    items, page, pages = [], 1, 1
    while page <= min(pages, LIST_PAGES):
        answer = signed_in_call("GET", f"{path}?" + urlencode({"sort": sort, "page": page}), service=service)
        if answer.status_code != 200:
            return None
        listing = answer.json()
        items += listing["items"]
        pages = int(listing.get("pages") or 1)
        page += 1
    return items


def merged_ejs(sort: str) -> list[dict] | None:
    """The EJs of GET /ej of the contracts and of the cpom services (deduplicated by FINESS), in the contracts
    list's shape and sorted by `sort` (raison_sociale, adresse, telephone; « - » descending). None when neither
    answers; a warning is flashed for the one that does not."""
    try:
        contracts = _all_pages("contracts", "/ej", sort)
    except ApiError:
        contracts = None
    try:
        cpoms = _all_pages("cpom", "/ej", sort)
    except ApiError:
        cpoms = None
    if contracts is None and cpoms is None:
        flash("La liste des contrats est momentanément indisponible.", "warning")
        return None
    if contracts is None:
        flash("La liste des contrats d'auto-évaluation est momentanément indisponible.", "warning")
    if cpoms is None:
        flash("La liste des CPOM est momentanément indisponible.", "warning")
    found: dict[str, dict] = {item["ej_finess"]: dict(item) for item in contracts or []}
    for item in cpoms or []:
        known = found.setdefault(item["finess"], {"ej_finess": item["finess"]})
        for key in ("raison_sociale", "adresse", "telephone"):
            if not known.get(f"ej_{key}"):
                known[f"ej_{key}"] = item.get(key)
    key = sort.lstrip("-")
    return sorted(found.values(), key=lambda e: ((e.get(f"ej_{key}") or "").casefold(), e["ej_finess"]),
                  reverse=sort.startswith("-"))


# -- The EJ page: its CPOM parts -----------------------------------------------------------------------

def ej_of_cpom(finess: str) -> dict | None:
    """The cpom service's EJ (« Liste de mes CPOM », contacts, établissements), None when it does not know it
    (or does not show it to this person) or is unavailable."""
    try:
        answer = cpom_call("GET", f"/ej/{quote(finess, safe='')}")
    except ApiError:
        flash("Les CPOM de cette entité juridique sont momentanément indisponibles.", "warning")
        return None
    return answer.json() if answer.status_code == 200 else None


# -- « CPOM - Contractualisation » ---------------------------------------------------------------------

def folders_of(cpom_id: str) -> tuple[list[dict], str]:
    """The folder tree with each folder's documents, and a message when the documents cannot be shown."""
    try:
        answer = raw_call("documents", "GET", f"/cpoms/{cpom_id}/folders")
    except ApiError:
        return [], "Les documents sont momentanément indisponibles."
    if answer.status_code != 200:
        _, message, _ = api_error(answer)
        return [], message or "Les documents ne sont pas accessibles."

    def fill(items: list[dict]) -> list[dict]:
        for folder in items:
            folder["items"] = []
            if folder.get("documents"):
                listing = raw_call("documents", "GET", f"/cpoms/{cpom_id}/folders/{folder['id']}/documents")
                if listing.status_code == 200:
                    folder["items"] = listing.json()["items"]
            fill(folder.get("children") or [])
        return items

    return fill(answer.json()["items"]), ""


def transmissions_of(cpom_id: str) -> list[dict]:
    answer = cpom_call("GET", f"/cpoms/{cpom_id}/transmissions")
    return answer.json()["items"] if answer.status_code == 200 else []


def sheet_page(cpom_id: str, refusal: dict | None = None, upload_error: str = "", remark: str = "",
               remark_error: str = "", status: int = 200):
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    grid = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/grille"))
    folders, folders_problem = folders_of(cpom_id)
    return render_template(
        "cpom/sheet.html", cpom=sheet, grid=grid, planning=PLANNING, folders=folders, folders_problem=folders_problem,
        transmissions=transmissions_of(cpom_id), refusal=refusal, upload_error=upload_error, remark=remark,
        remark_error=remark_error, human_size=human_size, selected_folder=request.values.get("dossier", ""),
        objectives=[o for axe in grid["axes"] for o in axe["objectifs"]],
    ), status


def to_sheet(cpom_id: str, anchor: str = ""):
    return redirect(url_for("cpom_web.sheet_view", cpom_id=cpom_id) + (f"#{anchor}" if anchor else ""))


@bp.get("/cpom/<uuid:cpom_id>")
@login_required
def sheet_view(cpom_id):
    return sheet_page(str(cpom_id))


def flash_refusal(answer, success: str | None = None) -> None:
    if answer.status_code in (200, 201):
        if success:
            flash(success, "success")
        return
    _, message, _ = api_error(answer)
    if answer.status_code >= 500 or not message:
        raise unexpected(answer)
    flash(message, "error")


@bp.post("/cpom/<uuid:cpom_id>/statut")
@login_required
def status_change(cpom_id):
    statut = request.form.get("statut", "")
    body = {"statut": statut}
    if request.form.get("motif", "").strip():
        body["motif"] = request.form["motif"].strip()
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/statut", json=body)
    libelle = answer.json()["statut"]["libelle"] if answer.status_code == 200 else ""
    flash_refusal(answer, f"Le statut du CPOM est maintenant « {libelle} ».")
    return to_sheet(str(cpom_id), "statut")


@bp.post("/cpom/<uuid:cpom_id>/validation")
@login_required
def validation(cpom_id):
    autorite = request.form.get("autorite", "")
    if autorite not in ("ARS", "CD"):
        abort(400, "Le formulaire est incomplet : rechargez la page et recommencez.")
    valide = request.form.get("valide") == "oui"
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/validation", json={"autorite": autorite, "valide": valide})
    flash_refusal(answer, f"Validation {autorite} : {'Oui' if valide else 'Non'}.")
    return to_sheet(str(cpom_id), "validation")


# -- « Transmettre les informations » ----------------------------------------------------------------

@bp.post("/cpom/<uuid:cpom_id>/transmettre")
@login_required
def transmit(cpom_id):
    cpom_id = str(cpom_id)
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/transmissions")
    if answer.status_code == 201:
        sent = answer.json()
        flash(f"Les informations sont transmises aux autorités publiques : version {sent['version']} "
              f"({sent['nb_changements']} modification(s)).", "success")
        return to_sheet(cpom_id, "transmissions")
    code, message, details = api_error(answer)
    if code == "incomplete":
        return sheet_page(cpom_id, refusal={"message": message, "missing": details.get("manquants") or []},
                          status=422)
    if code in ("unchanged", "forbidden"):
        flash(message, "error" if code == "forbidden" else "info")
        return to_sheet(cpom_id, "transmissions")
    raise unexpected(answer)


# -- « Documents » ---------------------------------------------------------------------------------------

@bp.post("/cpom/<uuid:cpom_id>/documents")
@login_required
def add_document(cpom_id):
    """« Ajouter un fichier » in the selected folder, streamed to the documents service as web_contracts does."""
    cpom_id = str(cpom_id)
    folder_id = request.form.get("dossier", "")
    upload = request.files.get("fichier")
    if not folder_id:
        return sheet_page(cpom_id, upload_error=NO_FOLDER, status=422)
    if upload is None or not upload.filename:
        return sheet_page(cpom_id, upload_error=NO_FILE, status=422)
    answer = send_document(f"/cpoms/{cpom_id}/folders/{quote(folder_id, safe='')}/documents", upload)
    if answer.status_code == 201:
        flash(f"Votre document « {answer.json().get('name', upload.filename)} » a été ajouté.", "success")
        return redirect(url_for("cpom_web.sheet_view", cpom_id=cpom_id, dossier=folder_id) + "#documents")
    if answer.status_code >= 500:
        raise unexpected(answer)
    _, message, _ = api_error(answer)
    return sheet_page(cpom_id, upload_error=message or "Le document n'a pas pu être ajouté.",
                      status=answer.status_code)


@bp.get("/cpom/<uuid:cpom_id>/documents/<uuid:document_id>")
@login_required
def download(cpom_id, document_id):
    answer = raw_call("documents", "GET", f"/documents/{document_id}/content", stream=True)
    return streamed(answer, DOWNLOAD)


@bp.get("/cpom/<uuid:cpom_id>/documents-de-reference")
@login_required
def references(cpom_id):
    """« Documents de référence »: the documents the ARS of the CPOM's region puts at everyone's disposal."""
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    regions = sorted({e["region"] for e in sheet["etablissements"] if e.get("region")})
    lists, problem = [], ""
    for region in regions:
        answer = raw_call("documents", "GET", f"/references/{quote(region, safe='')}")
        if answer.status_code == 200:
            lists.append((region, answer.json()["items"]))
        else:
            problem = api_error(answer)[1] or "Les documents de référence ne sont pas accessibles."
    return render_template("cpom/references.html", cpom=sheet, lists=lists, problem=problem, human_size=human_size)


# -- Word documents (reporting service) ------------------------------------------------------------------

def word(cpom_id: str, path: str, back: str):
    answer = raw_call("reporting", "GET", path, stream=True)
    if answer.status_code == 404:
        answer.read()
        answer.close()
        flash(WORD_UNAVAILABLE, "warning")
        return redirect(back)
    response = streamed(answer, DOCX)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/cpom/<uuid:cpom_id>/fiche-objectif")
@login_required
def objective_word_choice(cpom_id):
    """« Génération fiche Objectif » of the sheet: the objective chosen in its list."""
    objective = request.args.get("objectif", "")
    if not objective:
        flash("Choisissez l'objectif dont générer la fiche.", "error")
        return to_sheet(str(cpom_id), "generation")
    return redirect(url_for("cpom_web.objective_word", cpom_id=cpom_id, objective_id=objective))


@bp.get("/cpom/<uuid:cpom_id>/fiche-objectif/<uuid:objective_id>.docx")
@login_required
def objective_word(cpom_id, objective_id):
    """The reporting service names the objective by its code: read from the fiche Objectif."""
    objective = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/objectifs/{objective_id}"))
    back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
    return word(str(cpom_id), f"/cpoms/{cpom_id}/fiche-objectif/{quote(objective['code'], safe='')}.docx",
                back or url_for("cpom_web.objective_view", cpom_id=cpom_id, objective_id=objective_id))


@bp.get("/cpom/<uuid:cpom_id>/synthese.docx")
@login_required
def synthesis_word(cpom_id):
    return word(str(cpom_id), f"/cpoms/{cpom_id}/synthese.docx",
                url_for("cpom_web.sheet_view", cpom_id=cpom_id) + "#generation")


# -- « Remarques » ----------------------------------------------------------------------------------------

@bp.post("/cpom/<uuid:cpom_id>/remarques")
@login_required
def add_remark(cpom_id):
    cpom_id = str(cpom_id)
    text = request.form.get("texte", "").strip()
    if not text:
        return sheet_page(cpom_id, remark_error="Saisissez votre remarque.", status=422)
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/remarques", json={"texte": text})
    if answer.status_code == 201:
        flash("Votre remarque est enregistrée.", "success")
        return to_sheet(cpom_id, "remarques")
    code, message, details = api_error(answer)
    if answer.status_code == 422:
        return sheet_page(cpom_id, remark=text, remark_error=details.get("texte") and f"{message} ({details['texte']})"
                          or message, status=422)
    raise unexpected(answer)


# -- « fiche Objectif » -------------------------------------------------------------------------------------

def objective_page(cpom_id: str, objective_id: str, values: dict | None = None, errors: dict | None = None,
                   status: int = 200):
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    objective = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/objectifs/{objective_id}"))
    if values is None:
        values = {f"action-{a['numero']}": a["libelle"] for a in objective["actions"]}
        values["element_og"] = objective["option_og"]["element_selectionne"] or ""
        values["nouvelle_action"] = ""
    return render_template("cpom/objective.html", cpom=sheet, objective=objective, values=values,
                           errors=errors or {}), status


@bp.get("/cpom/<uuid:cpom_id>/objectifs/<uuid:objective_id>")
@login_required
def objective_view(cpom_id, objective_id):
    return objective_page(str(cpom_id), str(objective_id))


@bp.post("/cpom/<uuid:cpom_id>/objectifs/<uuid:objective_id>")
@login_required
def objective_save(cpom_id, objective_id):
    """« Enregistrer »: the actions already entered (changed, or emptied to remove them), the OG's element, then
    the new action (the service refuses a sixth with its message)."""
    cpom_id, objective_id = str(cpom_id), str(objective_id)
    path = f"/cpoms/{cpom_id}/objectifs/{objective_id}"
    objective = ok_json(cpom_call("GET", path))
    values = {name: request.form.get(name, "").strip() for name in request.form if name != "csrf_token"}
    values.setdefault("nouvelle_action", "")
    actions = [values.get(f"action-{a['numero']}", a["libelle"]) for a in objective["actions"]]
    entry = {}
    if [a for a in actions if a] != [a["libelle"] for a in objective["actions"]]:
        entry["actions"] = [a for a in actions if a]
    if objective["option_og"]["active"]:
        chosen = values.get("element_og") or None
        if chosen != objective["option_og"]["element_selectionne"]:
            entry["element_selectionne_og"] = chosen
    saved = False
    if entry:
        answer = cpom_call("PUT", f"{path}/saisie", json=entry)
        if answer.status_code != 200:
            code, message, details = api_error(answer)
            if answer.status_code in (403, 422):
                errors = {"_": message}
                if "element_selectionne_og" in details:
                    errors["element_og"] = f"{message} ({details['element_selectionne_og']})"
                return objective_page(cpom_id, objective_id, values, errors, status=answer.status_code)
            raise unexpected(answer)
        saved = True
    if values["nouvelle_action"]:
        answer = cpom_call("POST", f"{path}/actions", json={"libelle": values["nouvelle_action"]})
        if answer.status_code != 201:
            code, message, details = api_error(answer)
            if answer.status_code in (403, 422):
                if saved:
                    flash("Les autres modifications sont enregistrées.", "info")
                return objective_page(cpom_id, objective_id, values, {"nouvelle_action": message},
                                      status=answer.status_code)
            raise unexpected(answer)
        saved = True
    if saved:
        flash("La fiche objectif est enregistrée.", "success")
    else:
        flash("Aucune modification à enregistrer.", "info")
    return redirect(url_for("cpom_web.objective_view", cpom_id=cpom_id, objective_id=objective_id))


# -- « fiche indicateur » -------------------------------------------------------------------------------------

def typed_value(line: dict, kind: str) -> dict:
    """What a line's controls hold when the page opens."""
    if kind == "taux":
        return {"numerateur": french_number(line["numerateur"]) if line["numerateur"] is not None else "",
                "denominateur": french_number(line["denominateur"]) if line["denominateur"] is not None else ""}
    value = line["valeur"]
    if value is None:
        return {"valeur": ""}
    if kind == "oui_non":
        return {"valeur": "oui" if value else "non"}
    return {"valeur": french_number(value) if kind == "quantitatif" else str(value)}


def line_key(line: dict) -> str:
    return line["etablissement"]["finess"] if line["etablissement"] else "cpom"


def indicator_page(cpom_id: str, indicator_id: str, values: dict | None = None, errors: dict | None = None,
                   failure: str = "", status: int = 200):
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    indicator = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/indicateurs/{indicator_id}"))
    kind = indicator["type"]["code"]
    if values is None:
        values = {line_key(line): typed_value(line, kind) for line in indicator["valeurs"]}
    return render_template("cpom/indicator.html", cpom=sheet, indicator=indicator, kind=kind, values=values,
                           errors=errors or {}, failure=failure, line_key=line_key), status


@bp.get("/cpom/<uuid:cpom_id>/indicateurs/<uuid:indicator_id>")
@login_required
def indicator_view(cpom_id, indicator_id):
    return indicator_page(str(cpom_id), str(indicator_id))


@bp.post("/cpom/<uuid:cpom_id>/indicateurs/<uuid:indicator_id>")
@login_required
def indicator_save(cpom_id, indicator_id):
    """« Enregistrer »: the « valeur initiale » of each line changed (ET par ET: one line per ET of the
    objective's perimeter); emptied lines are erased; nothing is saved unless every line is right."""
    cpom_id, indicator_id = str(cpom_id), str(indicator_id)
    path = f"/cpoms/{cpom_id}/indicateurs/{indicator_id}"
    indicator = ok_json(cpom_call("GET", path))
    kind = indicator["type"]["code"]
    fields = ("numerateur", "denominateur") if kind == "taux" else ("valeur",)
    values, sent, places = {}, [], []
    for line in indicator["valeurs"]:
        key = line_key(line)
        typed = {name: request.form.get(f"{name}-{key}", "").strip() for name in fields}
        values[key] = typed
        if typed == typed_value(line, kind):
            continue
        item = {"etablissement": key} if line["etablissement"] else {}
        if not any(typed.values()):
            if not line["renseignee"]:
                continue
            item["effacer"] = True
        elif kind == "oui_non":
            item["valeur"] = typed["valeur"] == "oui"
        else:
            item.update(typed)
        sent.append(item)
        places.append(key)
    if not sent:
        flash("Aucune modification à enregistrer.", "info")
        return redirect(url_for("cpom_web.indicator_view", cpom_id=cpom_id, indicator_id=indicator_id))
    answer = cpom_call("PUT", f"{path}/valeurs", json={"valeurs": sent})
    if answer.status_code == 200:
        flash("Les valeurs de l'indicateur sont enregistrées.", "success")
        return redirect(url_for("cpom_web.indicator_view", cpom_id=cpom_id, indicator_id=indicator_id))
    code, message, details = api_error(answer)
    if answer.status_code in (403, 422):
        errors = {}
        for name, text in (details or {}).items():
            # valeurs[1].denominateur → the field of that line
            head, _, field = name.partition(".")
            index = head[len("valeurs["):-1] if head.startswith("valeurs[") else ""
            if index.isdigit() and int(index) < len(places):
                target = field if field in fields else fields[-1]
                errors[f"{target}-{places[int(index)]}"] = str(text)
        return indicator_page(cpom_id, indicator_id, values, errors,
                              failure=message or "Certaines valeurs ne sont pas valides : rien n'a été enregistré.",
                              status=answer.status_code)
    raise unexpected(answer)
