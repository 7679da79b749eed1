"""The self-evaluation pages (guide 000, §2 to §6), rendered on the server from the contracts service.

« Gestion des contrats » (/accueil, through `contracts_home`) → the EJ's « LISTE DES CONTRATS » → the
contract's form with its blue banner (AUTO-EVALUATION / CONSULTATION) → « SAISIR LES INDICATEURS » → an
indicator « sous le contrat » (« Réalisé », « Commentaire évalué <année> », « Documents de l'indicateur »,
« Enregistrer ») ; « EDITER LES DONNEES » (the Word export of the reporting service) ; « Clore la saisie ».
The ARS side: a campaign from a spreadsheet template, its progress table, « Accepter » / « Rouvrir la saisie »."""

import time
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx
from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)

from ecars_common.errors import ApiError
from gateway import upstream
from gateway.web import (
    REFRESH_MARGIN,
    SessionExpired,
    api_error,
    field_errors,
    login_required,
    page_blueprint,
    refresh_session,
    signed_in,
    signed_in_call,
    unexpected,
)

bp = page_blueprint("contracts_web")

CHUNK = 256 * 1024
PARIS = ZoneInfo("Europe/Paris")
AUTHORITY_ROLES = ("ars", "admin")
EJ_SORTS = ("raison_sociale", "adresse", "telephone")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024  # what the contracts service accepts for a template
NA = "NA"
# Guide 000 §5, in its words (the documents service checks the same list, and the content).
ACCEPTED_FORMATS = ("txt", "xls", "xlsx", "xlm", "xlsm", "doc", "docx", "pdf", "ppt", "ppts", "zip", "jpg", "jpeg",
                    "tiff", "gif", "odt", "odg", "odp", "ods", "odf", "dot", "dotx")
DOTS = {
    "GRISE": ("grise", "Non accessible", "L'indicateur n'est pas accessible à votre compte"),
    "ROUGE": ("rouge", "À renseigner", "L'indicateur doit être renseigné"),
    "VERTE": ("verte", "Renseigné", "L'indicateur est renseigné"),
}
STATUS_TEXT = {
    "AUTO-EVALUATION": "vous pouvez accéder à la modification des questions rattachées à chaque indicateur.",
    "CONSULTATION": "vous pouvez accéder aux éléments constitutifs de votre rapport d'auto-évaluation MAIS vous "
                    "ne pouvez apporter aucune modification.",
}
CAMPAIGN_LABELS = {"name": "Nom de la campagne", "evaluated_year": "Année évaluée", "starts_on": "Date de début",
                   "ends_on": "Date de fin", "region": "Région", "template": "Trame d'indicateurs (.xlsx)"}
CONTRACT_LABELS = {"name": "Nom du contrat", "ej_finess": "FINESS juridique", "ej_raison_sociale": "Raison sociale",
                   "ej_adresse": "Adresse", "ej_telephone": "Téléphone", "referent_email": "Courriel du référent ARS"}


# -- Calls to the services ------------------------------------------------------------------------

def contracts_call(method: str, path: str, json=None):
    return signed_in_call(method, path, json=json, service="contracts")


def ok_json(answer, *statuses: int) -> dict:
    """The answer's JSON when its status is expected; otherwise an error page with the service's message."""
    if answer.status_code not in (statuses or (200,)):
        raise unexpected(answer)
    return answer.json()


def fresh_token() -> str:
    """The access token, renewed beforehand when it is about to expire (a streamed body cannot be sent twice)."""
    if not signed_in():
        raise SessionExpired()
    if time.time() >= session.get("access_expires_at", 0) - REFRESH_MARGIN:
        refresh_session()
    return session["access_token"]


def send_document(path: str, upload) -> httpx.Response:
    """POST the browser's file (a Werkzeug FileStorage, spooled to disk) to the documents service as a
    raw body, read and sent in chunks, never all in memory; the answer is read and closed."""
    source = upload.stream
    source.seek(0, 2)
    size = source.tell()
    source.seek(0)

    def chunks():
        while chunk := source.read(CHUNK):
            yield chunk

    answer = raw_call("documents", "POST", path, content=chunks(), stream=True, replayable=False,
                      headers={"Content-Type": "application/octet-stream", "Content-Length": str(size),
                               "X-File-Name": quote(upload.filename, safe="")})
    try:
        answer.read()
    finally:
        answer.close()
    return answer


def raw_call(service: str, method: str, path: str, content=None, headers: dict | None = None,
             stream: bool = False, replayable: bool = True) -> httpx.Response:
    """A call with a body that is not JSON (a file), or whose answer is streamed back (a download).
    `replayable`: the body may be sent again after renewing an expired token."""
    client: httpx.Client = current_app.extensions["http_client"]

    def send() -> httpx.Response:
        sent = {"X-Request-ID": g.request_id, "X-Forwarded-For": upstream.edge_address(),
                "Authorization": f"Bearer {fresh_token()}", **(headers or {})}
        built = client.build_request(method, f"{upstream.base_url(service)}{path}", content=content, headers=sent)
        return upstream.send(service, built, stream=stream)

    answer = send()
    if answer.status_code == 401:
        answer.close()
        if not replayable:
            session.clear()
            raise SessionExpired()
        refresh_session()
        answer = send()
        if answer.status_code == 401:
            answer.close()
            session.clear()
            raise SessionExpired()
    return answer


def streamed(answer: httpx.Response, keep: tuple[str, ...]) -> Response:
    """A service's streamed answer handed to the browser chunk by chunk, with the headers named in `keep`."""
    if answer.status_code != 200:
        answer.read()
        answer.close()
        raise unexpected(answer)

    def body():
        try:
            yield from answer.iter_raw(CHUNK)
        finally:
            answer.close()

    headers = [(name, answer.headers[name]) for name in keep if name in answer.headers]
    response = Response(stream_with_context(body()), headers=headers, direct_passthrough=True)
    response.call_on_close(answer.close)
    return response


def role() -> str:
    return (session.get("user") or {}).get("role", "")


def is_authority() -> bool:
    return role() in AUTHORITY_ROLES


def require_authority() -> None:
    if not is_authority():
        abort(403, "Réservé aux agents de l'ARS.")


# -- Values as the pages show them ----------------------------------------------------------------

def french_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(".", ",")


def shown(value) -> str:
    """A value of the history (JSON as stored) in French."""
    if value is None or value == "":
        return "—"
    if value is True:
        return "Oui"
    if value is False:
        return "Non"
    if value == NA:
        return "Non applicable"
    if isinstance(value, int | float):
        return french_number(value)
    text = str(value)
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y") if len(text) == 10 else text
    except ValueError:
        return text


def moment(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")
    except (TypeError, ValueError):
        return iso or ""


def human_size(size) -> str:
    if not isinstance(size, int):
        return ""
    for unit, factor in (("Go", 1024 ** 3), ("Mo", 1024 ** 2), ("Ko", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}".replace(".", ",")
    return f"{size} octets"


def dot_info(dot: str) -> tuple[str, str, str]:
    """(colour, short text, sentence) of a dot: its meaning is always written, never the colour alone."""
    return DOTS.get(dot, DOTS["ROUGE"])


@bp.record_once
def _template_helpers(state) -> None:
    """Globals, so that the macros of contracts/_parts.html (imported without the context) see them too."""
    state.app.jinja_env.globals.update(dot_info=dot_info, status_text=STATUS_TEXT, human_size=human_size,
                                       accepted_formats=ACCEPTED_FORMATS, is_authority=is_authority)


def input_value(question: dict) -> str:
    """What the question's control holds when the page opens (the stored value, typed the French way)."""
    value = question.get("value")
    if value is None or value == NA:
        return ""
    if question["kind"] == "yes_no":
        return "oui" if value else "non"
    if question["kind"] in ("number", "percentage"):
        return french_number(value)
    return str(value)


def question_hint(question: dict) -> str:
    parts = []
    if question["kind"] in ("number", "percentage"):
        parts.append("En pourcentage, exemple : 92,5" if question["kind"] == "percentage" else "Exemple : 12,5")
        low, high = question.get("min"), question.get("max")
        if low is not None and high is not None:
            parts.append(f"Valeur entre {french_number(low)} et {french_number(high)}")
        elif low is not None:
            parts.append(f"Valeur d'au moins {french_number(low)}")
        elif high is not None:
            parts.append(f"Valeur d'au plus {french_number(high)}")
        low, high = question.get("expected_min"), question.get("expected_max")
        if low is not None or high is not None:
            parts.append(f"Plage attendue : {french_number(low) if low is not None else '…'} – "
                         f"{french_number(high) if high is not None else '…'} (en dehors, un commentaire est "
                         "obligatoire)")
    elif question["kind"] == "date":
        parts.append("Format : JJ/MM/AAAA")
    if question.get("required"):
        parts.append("Obligatoire pour clore la saisie")
    return "".join(f"{part}. " for part in parts).strip()


def audit_rows(indicator: dict) -> list[dict]:
    labels = {q["code"]: q["label"] for q in indicator["questions"]}
    labels.update({"comment": indicator["comment_label"], "status": "Statut du contrat", "review": "Revue de l'ARS"})
    return [{"at": moment(item["at"]), "by": item.get("by") or "", "field": labels.get(item["field"], item["field"]),
             "old": shown(item.get("old")), "new": shown(item.get("new")), "reason": item.get("reason") or ""}
            for item in indicator.get("audit", [])]


# -- « Gestion des contrats » (/accueil) ----------------------------------------------------------

def ej_sort() -> str:
    sort = request.args.get("sort", "raison_sociale")
    return sort if sort.lstrip("-") in EJ_SORTS else "raison_sociale"


def contracts_home():
    """The home page's list of EJs with contracts (GET /ej); None when the person has none (and is not of
    the ARS): /accueil then lists their EJ habilitations as before."""
    sort = ej_sort()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) >= 1 else 1
    from gateway.web_cpom import merged_ejs  # here: web_cpom imports this module

    items = merged_ejs(sort)  # the EJs of the contracts and of the CPOMs
    if items is None:
        return None
    pages = max(1, -(-len(items) // 20))
    listing = {"items": items[(page - 1) * 20:page * 20], "page": page, "pages": pages, "total": len(items)}
    if not listing["total"] and not is_authority():
        return None
    if page > listing["pages"]:
        return redirect(url_for("web.home_page", sort=sort, page=listing["pages"]))

    def sort_url(key: str) -> str:
        return url_for("web.home_page", sort=f"-{key}" if sort == key else key)

    def page_url(number: int) -> str:
        return url_for("web.home_page", sort=sort, page=number)

    return render_template("contracts/accueil.html", listing=listing, sort=sort, sort_url=sort_url,
                           page_url=page_url)


# -- « LISTE DES CONTRATS » of an EJ --------------------------------------------------------------

@bp.get("/ej/<finess>")
@login_required
def ej_page(finess: str):
    from gateway.web_cpom import ej_of_cpom  # here: web_cpom imports this module

    cpom_ej = ej_of_cpom(finess)  # its CPOM parts, when the cpom service shows it
    answer = contracts_call("GET", f"/ej/{quote(finess, safe='')}/contracts")
    items = [] if cpom_ej and answer.status_code != 200 else ok_json(answer)["items"]
    ej = {"finess": finess}
    if items:
        first = contracts_call("GET", f"/contracts/{items[0]['id']}")
        if first.status_code == 200:
            ej = first.json()["ej"]
    elif cpom_ej:
        ej = {key: cpom_ej.get(key) for key in ("finess", "raison_sociale", "adresse", "telephone")}
    return render_template("contracts/ej.html", ej=ej, contracts=items, cpom_ej=cpom_ej)


# -- The contract's form --------------------------------------------------------------------------

def load_contract(contract_id: str) -> dict:
    return ok_json(contracts_call("GET", f"/contracts/{contract_id}"))


def contract_page(contract_id: str, refusal: dict | None = None, reason: str = "", reason_error: str = "",
                  status: int = 200):
    contract = load_contract(contract_id)
    return render_template("contracts/contract.html", contract=contract, refusal=refusal, reason=reason,
                           reason_error=reason_error), status


@bp.get("/contrats/<uuid:contract_id>")
@login_required
def contract_view(contract_id):
    return contract_page(str(contract_id))


@bp.post("/contrats/<uuid:contract_id>/clore")
@login_required
def contract_close(contract_id):
    """« Clore la saisie »: refused (with what is missing) unless every required question is answered."""
    contract_id = str(contract_id)
    answer = contracts_call("POST", f"/contracts/{contract_id}/close")
    if answer.status_code == 200:
        flash("La saisie est close : votre rapport passe au statut « CONSULTATION » et les données des indicateurs "
              "ne sont plus modifiables.", "success")
        return redirect(url_for("contracts_web.contract_view", contract_id=contract_id))
    code, message, details = api_error(answer)
    if code == "incomplete":
        refusal = {"message": message, "missing": details.get("missing") or [],
                   "fill_percentage": details.get("fill_percentage")}
        return contract_page(contract_id, refusal=refusal, status=409)
    if code in ("contract_closed", "read_only", "forbidden"):
        flash(message, "error")
        return redirect(url_for("contracts_web.contract_view", contract_id=contract_id))
    raise unexpected(answer)


@bp.get("/contrats/<uuid:contract_id>/export.docx")
@login_required
def contract_export(contract_id):
    """« EDITER LES DONNEES »: the provisional Word extraction, streamed from the reporting service."""
    answer = raw_call("reporting", "GET", f"/contracts/{contract_id}/export.docx", stream=True)
    response = streamed(answer, ("Content-Type", "Content-Disposition", "Content-Length"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- « SAISIR LES INDICATEURS » -------------------------------------------------------------------

def by_category(indicators: list[dict]) -> list[tuple[str, list[dict]]]:
    groups: dict[str, list[dict]] = {}
    for item in indicators:
        groups.setdefault(item.get("category") or "Indicateurs", []).append(item)
    return list(groups.items())


@bp.get("/contrats/<uuid:contract_id>/indicateurs")
@login_required
def indicators_view(contract_id):
    contract = load_contract(str(contract_id))
    return render_template("contracts/indicators.html", contract=contract,
                           groups=by_category(contract["indicators"]))


def indicator_path(contract_id: str, code: str) -> str:
    return f"/contracts/{contract_id}/indicators/{quote(code, safe='')}"


def documents_of(contract_id: str, code: str, indicator: dict) -> list[dict]:
    """« Documents de l'indicateur »: the documents service's list (up to date at once), completed with what
    the contracts service learnt from its events."""
    listed = {d["document_id"]: {"id": d["document_id"], "name": d["name"], "size": d.get("size"),
                                 "sha256": d.get("sha256"), "uploaded_at": ""}
              for d in indicator.get("documents", [])}
    try:
        answer = raw_call("documents", "GET", f"/indicators/{contract_id}/{quote(code, safe='')}/documents")
    except ApiError:
        answer = None
    if answer is not None and answer.status_code == 200:
        for item in answer.json().get("items", []):
            listed[item["id"]] = {"id": item["id"], "name": item["name"], "size": item.get("size"),
                                  "sha256": item.get("sha256"), "uploaded_at": moment(item.get("uploaded_at", ""))}
    return list(listed.values())


def indicator_page(contract_id: str, code: str, values: dict | None = None, errors: dict | None = None,
                   failure: dict | None = None, upload_error: str = "", status: int = 200):
    """The indicator « sous le contrat ». `values` (field name → text typed) and `errors` (field name → message)
    after a refused « Enregistrer »; `failure`: {"message", "reload"} for a refusal of the whole form."""
    contract = load_contract(contract_id)
    indicator = ok_json(contracts_call("GET", indicator_path(contract_id, code)))
    if values is None:
        values = {f"q-{q['code']}": input_value(q) for q in indicator["questions"]}
        values.update({f"na-{q['code']}": q.get("value") == NA for q in indicator["questions"]})
        values["comment"] = indicator.get("comment") or ""
    reachable = [i for i in contract["indicators"] if not i["hidden"] or i["code"] == code]
    codes = [i["code"] for i in reachable]
    position = codes.index(code) if code in codes else -1
    neighbours = {"previous": reachable[position - 1] if position > 0 else None,
                  "next": reachable[position + 1] if 0 <= position < len(codes) - 1 else None}
    return render_template(
        "contracts/indicator.html", contract=contract, indicator=indicator, values=values, errors=errors or {},
        failure=failure, hints={q["code"]: question_hint(q) for q in indicator["questions"]},
        documents=documents_of(contract_id, code, indicator), history=audit_rows(indicator),
        upload_error=upload_error, neighbours=neighbours, groups=by_category(contract["indicators"]),
    ), status


@bp.get("/contrats/<uuid:contract_id>/indicateurs/<code>")
@login_required
def indicator_view(contract_id, code: str):
    return indicator_page(str(contract_id), code)


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>")
@login_required
def indicator_save(contract_id, code: str):
    """« Enregistrer »: every answer is checked by the service; nothing is saved unless all are right."""
    contract_id = str(contract_id)
    here = url_for("contracts_web.indicator_view", contract_id=contract_id, code=code)
    indicator = ok_json(contracts_call("GET", indicator_path(contract_id, code)))
    values, answers = {}, {}
    for question in indicator["questions"]:
        typed = request.form.get(f"q-{question['code']}", "")
        not_applicable = question.get("allow_na") and request.form.get(f"na-{question['code']}") == NA
        values[f"q-{question['code']}"] = typed
        values[f"na-{question['code']}"] = bool(not_applicable)
        answers[question["code"]] = NA if not_applicable else typed
    values["comment"] = request.form.get("comment", "")
    version = request.form.get("version", "")
    if not version.isdigit():
        abort(400, "Le formulaire est incomplet : rechargez la page et recommencez.")
    answer = contracts_call("PUT", indicator_path(contract_id, code),
                            json={"version": int(version), "answers": answers, "comment": values["comment"]})
    if answer.status_code == 200:
        saved = answer.json()
        if saved.get("changed"):
            dot_name, dot_label, _ = dot_info(saved["dot"])
            flash(f"L'indicateur « {indicator['label']} » est enregistré (pastille {dot_name} : {dot_label.lower()}).",
                  "success")
        else:
            flash("Aucune modification : l'indicateur était déjà enregistré avec ces valeurs.", "info")
        return redirect(here)
    code_, message, details = api_error(answer)
    if code_ == "validation_failed":
        errors = {}
        questions = {q["code"] for q in indicator["questions"]}
        for name, text in (details or {}).items():
            if name in questions:
                errors[f"q-{name}"] = str(text)
            elif name == "comment":
                errors["comment"] = str(text)
            else:
                errors.setdefault("_", []).append(str(text))
        return indicator_page(contract_id, code, values=values, errors=errors,
                              failure={"message": message or "Certaines valeurs ne sont pas valides : rien n'a été "
                                                             "enregistré."}, status=422)
    if code_ == "stale_version":
        return indicator_page(contract_id, code, values=values,
                              failure={"message": message, "reload": here}, status=409)
    if code_ in ("contract_closed", "indicator_not_accessible", "read_only"):
        flash(message, "error")
        return redirect(here)
    raise unexpected(answer)


# -- « Documents de l'indicateur » ----------------------------------------------------------------

@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/documents")
@login_required
def indicator_add_document(contract_id, code: str):
    """« Ajouter document »: the file of the browser's form is streamed to the documents service as it is
    read (Werkzeug has spooled the multipart part to a temporary file, never all in memory)."""
    contract_id = str(contract_id)
    upload = request.files.get("document")
    if upload is None or not upload.filename:
        return indicator_page(contract_id, code, upload_error="Sélectionnez le document à ajouter.", status=422)
    answer = send_document(f"/indicators/{contract_id}/{quote(code, safe='')}/documents", upload)
    if answer.status_code == 201:
        flash(f"Votre document « {answer.json().get('name', upload.filename)} » a été ajouté.", "success")
        return redirect(url_for("contracts_web.indicator_view", contract_id=contract_id, code=code) + "#documents")
    if answer.status_code >= 500:
        raise unexpected(answer)
    _, message, _ = api_error(answer)
    return indicator_page(contract_id, code, upload_error=message or "Le document n'a pas pu être ajouté.",
                          status=answer.status_code)


@bp.get("/contrats/<uuid:contract_id>/documents/<uuid:document_id>")
@login_required
def document_download(contract_id, document_id):
    answer = raw_call("documents", "GET", f"/documents/{document_id}/content", stream=True)
    return streamed(answer, ("Content-Type", "Content-Length", "Content-Disposition", "ETag", "Cache-Control",
                             "X-Content-Type-Options", "Content-Security-Policy"))


# -- The ARS: review of a closed contract ---------------------------------------------------------

@bp.post("/contrats/<uuid:contract_id>/accepter")
@login_required
def contract_accept(contract_id):
    require_authority()
    answer = contracts_call("POST", f"/contracts/{contract_id}/accept")
    if answer.status_code == 200:
        flash("Le rapport d'auto-évaluation est accepté.", "success")
    else:
        code, message, _ = api_error(answer)
        if answer.status_code >= 500 or not message:
            raise unexpected(answer)
        flash(message, "error")
    return redirect(url_for("contracts_web.contract_view", contract_id=str(contract_id)))


@bp.post("/contrats/<uuid:contract_id>/rouvrir")
@login_required
def contract_reopen(contract_id):
    require_authority()
    contract_id = str(contract_id)
    reason = request.form.get("motif", "").strip()
    if not reason:
        return contract_page(contract_id, reason=reason, reason_error="Indiquez le motif de la réouverture : "
                                                                      "il est transmis à l'établissement.", status=422)
    answer = contracts_call("POST", f"/contracts/{contract_id}/reopen", json={"reason": reason})
    if answer.status_code == 200:
        flash("La saisie est rouverte : l'établissement peut à nouveau modifier ses indicateurs.", "success")
        return redirect(url_for("contracts_web.contract_view", contract_id=contract_id))
    code, message, _ = api_error(answer)
    if code == "validation_failed":
        return contract_page(contract_id, reason=reason, reason_error=message, status=422)
    if code == "not_closed":
        flash(message, "error")
        return redirect(url_for("contracts_web.contract_view", contract_id=contract_id))
    raise unexpected(answer)


# -- The ARS: campaigns ---------------------------------------------------------------------------

def french_date(text: str) -> str | None:
    """YYYY-MM-DD from the date control (or JJ/MM/AAAA typed where there is none); None if neither."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            pass
    return None


def my_region() -> str:
    answer = signed_in_call("GET", "/me")
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
                                                                  "region")}
    errors = {}
    for name in ("name", "evaluated_year", "starts_on", "ends_on", "region"):
        if not form[name]:
            errors[name] = f"Renseignez le champ « {CAMPAIGN_LABELS[name]} »."
    if form["evaluated_year"] and not (form["evaluated_year"].isdigit() and len(form["evaluated_year"]) == 4):
        errors["evaluated_year"] = "L'année évaluée s'écrit avec 4 chiffres (exemple : 2023)."
    dates = {}
    for name in ("starts_on", "ends_on"):
        if form[name]:
            dates[name] = french_date(form[name])
            if dates[name] is None:
                errors[name] = f"« {CAMPAIGN_LABELS[name]} » : une date est attendue (JJ/MM/AAAA)."
    if dates.get("starts_on") and dates.get("ends_on") and dates["ends_on"] < dates["starts_on"]:
        errors["ends_on"] = "La date de fin doit suivre la date de début."
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
    answer = raw_call("contracts", "POST", "/campaigns/template", content=content, headers={"Content-Type": XLSX})
    code, message, details = api_error(answer)
    if code == "invalid_template":
        return campaign_form(form, {"template": message}, template_errors=details.get("errors") or [], status=422)
    if code == "too_large":
        return campaign_form(form, {"template": message}, status=422)
    template = ok_json(answer)
    answer = contracts_call("POST", "/campaigns", json={
        "name": form["name"], "evaluated_year": int(form["evaluated_year"]), "starts_on": dates["starts_on"],
        "ends_on": dates["ends_on"], "region": form["region"], "template": template["template"]})
    if answer.status_code == 201:
        created = answer.json()
        flash(f"La campagne « {created['name']} » est créée avec {template['indicators']} indicateur(s). "
              "Ajoutez maintenant les contrats des entités juridiques.", "success")
        return redirect(url_for("contracts_web.campaign_view", campaign_id=created["id"]))
    code, message, details = api_error(answer)
    if code == "validation_failed":
        return campaign_form(form, field_errors(details, CAMPAIGN_LABELS) or {"_": message}, status=422)
    if code == "invalid_template":
        return campaign_form(form, {"template": message}, template_errors=details.get("errors") or [], status=422)
    if code == "forbidden":
        return campaign_form(form, {"region": message}, status=403)
    raise unexpected(answer)


def campaign_page(campaign_id: str, contract: dict | None = None, errors: dict | None = None, status: int = 200):
    progress = ok_json(contracts_call("GET", f"/campaigns/{campaign_id}/progress"))
    contract = contract or {"referent_email": (session.get("user") or {}).get("email", "")}
    return render_template("contracts/campaign.html", progress=progress, contract=contract, errors=errors or {},
                           adding=bool(errors) or request.args.get("ajouter") == "1"), status


@bp.get("/campagnes/<uuid:campaign_id>")
@login_required
def campaign_view(campaign_id):
    """The region's progress table: every contract of the campaign with its status and fill percentage."""
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
            return redirect(url_for("contracts_web.campaign_view", campaign_id=campaign_id))
        code, message, details = api_error(answer)
        if code != "validation_failed":
            raise unexpected(answer)
        errors = field_errors(details, CONTRACT_LABELS) or {"_": message}
    return campaign_page(campaign_id, contract=contract, errors=errors, status=422)
