"""The self-evaluation contract (guide 000, §2 to §6), rendered from the contracts service: the contract's form
with its blue banner (AUTO-EVALUATION / CONSULTATION) → « SAISIR LES INDICATEURS » → an indicator « sous le
contrat » (« Réalisé », « Commentaire évalué <année> », « Documents de l'indicateur », « Enregistrer ») ;
« EDITER LES DONNEES » (the Word export of the reporting service) ; « Clore la saisie ». The ARS reviews a
closed contract: « Accepter » / « Rouvrir la saisie ». Campaigns: gateway/ui/campaigns.py."""

from urllib.parse import quote

from flask import abort, flash, redirect, render_template, request, url_for

from ecars_common import roles
from ecars_common.errors import ApiError
from ecars_common.numbers import whole_number
from gateway.ui.entry_aids import (
    draft_status,
    draft_values,
    flag_refusal_for,
    prefill,
    previous_hint,
    saved_at,
    tolerance_watch,
)
from gateway.ui.french import human_size, moment
from gateway.ui.indicator_form import accepted_formats, audit_rows, question_hint, stored_values, typed_values
from gateway.ui.pages import (
    flash_refusal,
    login_required,
    page_blueprint,
    require_role,
    runs_campaigns,
    upload_refusal_for,
    upload_refused,
    upload_refused_back,
)
from gateway.ui.session import (
    api_error,
    call,
    download_document,
    ok_json,
    send_document,
    unexpected,
    word_document,
)

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
# The same statuses for a reader who may not fill the contract in (the ARS, a CD): what they can do with it.
READER_STATUS_TEXT = {
    "AUTO-EVALUATION": "l'établissement renseigne les indicateurs ; vous pouvez les consulter MAIS vous ne pouvez "
                       "apporter aucune modification.",
    "CONSULTATION": "la saisie est close ; vous pouvez consulter le rapport d'auto-évaluation de l'établissement "
                    "MAIS vous ne pouvez apporter aucune modification.",
}
ARS_ONLY = "Réservé aux agents de l'ARS."


def status_text(contract: dict) -> str:
    """The banner's sentence: what the reader may do with the contract at its status."""
    if contract["status"] == "AUTO-EVALUATION" and not contract.get("editable"):
        return READER_STATUS_TEXT["AUTO-EVALUATION"]
    if contract["status"] == "CONSULTATION" and runs_campaigns():  # the ARS or CD that reviews it
        return READER_STATUS_TEXT["CONSULTATION"]
    return STATUS_TEXT.get(contract["status"], "")


def dot_info(dot: str) -> tuple[str, str, str]:
    """(colour, short text, sentence) of a dot: its meaning is always written, never the colour alone."""
    return DOTS.get(dot, DOTS["ROUGE"])


bp = page_blueprint("contracts", dot_info=dot_info, status_text=status_text, human_size=human_size,
                    draft_saved_at=saved_at, draft_status=draft_status, moment=moment)


def contracts_call(method: str, path: str, json=None):
    return call("contracts", method, path, json=json)


# -- The contract's form --------------------------------------------------------------------------

def load_contract(contract_id: str) -> dict:
    return ok_json(contracts_call("GET", f"/contracts/{contract_id}"))


def closing_refusal(contract: dict) -> dict | None:
    """What « Clore la saisie » was refused for, read from the contract as it is now (after the redirect): the red
    indicators (to fill), apart from the grey ones still empty (restricted to somebody else, named)."""
    red = [i for i in contract["indicators"] if i["dot"] == "ROUGE"]
    grey = [i for i in contract["indicators"] if i["dot"] == "GRISE" and not i.get("filled")]
    if not (red or grey) or not contract["editable"]:
        return None
    return {"missing": red, "grey": grey, "fill_percentage": contract["fill_percentage"]}


def contract_page(contract_id: str, reason: str = "", reason_error: str = "", status: int = 200):
    contract = load_contract(contract_id)
    refusal = closing_refusal(contract) if request.args.get("cloture") == "refusee" else None
    return render_template("contracts/contract.html", contract=contract, refusal=refusal, reason=reason,
                           reason_error=reason_error), status


@bp.get("/contrats/<uuid:contract_id>")
@login_required
def contract_view(contract_id):
    return contract_page(str(contract_id))


@bp.post("/contrats/<uuid:contract_id>/clore")
@login_required
def contract_close(contract_id):
    """« Clore la saisie »: refused (with what is missing) unless every required question is answered. Either way
    back to the contract's page (303), so that reloading it never sends the form again: a refusal is flashed, and
    the page lists the red and grey indicators (?cloture=refusee)."""
    contract_id = str(contract_id)
    answer = contracts_call("POST", f"/contracts/{contract_id}/close")
    if answer.status_code == 200:
        flash("La saisie est close : votre rapport passe au statut « CONSULTATION » et les données des indicateurs "
              "ne sont plus modifiables.", "success")
        return redirect(url_for("contracts.contract_view", contract_id=contract_id), 303)
    code, message, _ = api_error(answer)
    if code == "incomplete":  # the page lists the red and the grey indicators itself
        return redirect(url_for("contracts.contract_view", contract_id=contract_id, cloture="refusee")
                        + "#cloture-refusee", 303)
    if code in ("contract_closed", "read_only", "forbidden"):
        flash(message, "error")
        return redirect(url_for("contracts.contract_view", contract_id=contract_id), 303)
    raise unexpected(answer)


@bp.get("/contrats/<uuid:contract_id>/export.docx")
@login_required
def contract_export(contract_id):
    """« EDITER LES DONNEES »: the provisional Word extraction, streamed from the reporting service."""
    return word_document(call("reporting", "GET", f"/contracts/{contract_id}/export.docx", stream=True))


@bp.get("/contrats/<uuid:contract_id>/accuse-de-cloture.pdf")
@login_required
def closing_receipt(contract_id):
    """« Accusé de clôture de la saisie » (PDF), streamed from the reporting service (docs/receipts.md)."""
    return word_document(call("reporting", "GET", f"/contracts/{contract_id}/receipt.pdf", stream=True))


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
        answer = call("documents", "GET", f"/indicators/{contract_id}/{quote(code, safe='')}/documents")
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
    draft = indicator.get("draft") if values is None else None  # offered on a fresh page, not after a refusal
    if draft and request.args.get("brouillon") == "repris":
        values = draft_values(indicator, draft)
    if values is None:
        values = stored_values(indicator)
    upload_error = upload_error or upload_refusal_for(f"{contract_id}/{code}")  # a refused « Ajouter document »
    reachable = [i for i in contract["indicators"] if not i["hidden"] or i["code"] == code]
    codes = [i["code"] for i in reachable]
    position = codes.index(code) if code in codes else -1
    neighbours = {"previous": reachable[position - 1] if position > 0 else None,
                  "next": reachable[position + 1] if 0 <= position < len(codes) - 1 else None}
    return render_template(
        "contracts/indicator.html", contract=contract, indicator=indicator, values=values, errors=errors or {},
        failure=failure, hints={q["code"]: " ".join(filter(None, (question_hint(q), previous_hint(
            q, indicator.get("previous"))))) for q in indicator["questions"]},
        watched={q["code"]: tolerance_watch(q, indicator.get("previous")) for q in indicator["questions"]},
        draft=draft, draft_taken=bool(draft) and request.args.get("brouillon") == "repris", prefill=prefill(indicator),
        flag_refusal=flag_refusal_for(f"{contract_id}/{code}"),
        documents=documents_of(contract_id, code, indicator), history=audit_rows(indicator),
        upload_error=upload_error, neighbours=neighbours, groups=by_category(contract["indicators"]),
        accepted_formats=accepted_formats(),
    ), status


def send_answers(contract_id: str, code: str, values: dict, answers: dict):
    version = whole_number(request.form.get("version", ""), 0, 2**31 - 1)
    if version is None:
        abort(400, "Le formulaire est incomplet : rechargez la page et recommencez.")
    return contracts_call("PUT", indicator_path(contract_id, code),
                          json={"version": version, "answers": answers, "comment": values["comment"]})


@bp.get("/contrats/<uuid:contract_id>/indicateurs/<code>")
@login_required
def indicator_view(contract_id, code: str):
    return indicator_page(str(contract_id), code)


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>")
@login_required
def indicator_save(contract_id, code: str):
    """« Enregistrer »: every answer is checked by the service; nothing is saved unless all are right."""
    contract_id = str(contract_id)
    here = url_for("contracts.indicator_view", contract_id=contract_id, code=code)
    indicator = ok_json(contracts_call("GET", indicator_path(contract_id, code)))
    values, answers = typed_values(indicator)
    answer = send_answers(contract_id, code, values, answers)
    if answer.status_code == 200:
        saved = answer.json()
        if saved.get("changed"):
            dot_name, dot_label, _ = dot_info(saved["dot"])
            flash(f"L'indicateur « {indicator['label']} » est enregistré (pastille {dot_name} : {dot_label.lower()}).",
                  "success")
        else:
            flash("Aucune modification : l'indicateur était déjà enregistré avec ces valeurs.", "info")
        return redirect(here, 303)
    return save_refused(contract_id, code, indicator, values, answer)


def save_refused(contract_id: str, code: str, indicator: dict, values: dict, answer, upload_error: str = ""):
    """A refused save: the form again with what was typed and each error tied to its field (422, 409), or back
    to the indicator (303) with the reason flashed."""
    here = url_for("contracts.indicator_view", contract_id=contract_id, code=code)
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
        return indicator_page(contract_id, code, values=values, errors=errors, upload_error=upload_error,
                              failure={"message": message or "Certaines valeurs ne sont pas valides : rien n'a été "
                                                             "enregistré."}, status=422)
    if code_ == "stale_version":
        return indicator_page(contract_id, code, values=values, upload_error=upload_error,
                              failure={"message": message, "reload": here}, status=409)
    if code_ in ("contract_closed", "indicator_not_accessible", "read_only"):
        flash(message, "error")
        return redirect(here, 303)
    raise unexpected(answer)


# -- « Documents de l'indicateur » ----------------------------------------------------------------

@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/documents")
@login_required
def indicator_add_document(contract_id, code: str):
    """« Ajouter document »: the button belongs to the indicator's form, so what was typed and not yet saved comes
    with the file and is saved first (« Enregistrer », checked by the service): a refused value keeps the form as
    typed, with its error, and the file is not sent. Then the file is streamed to the documents service as it is
    read (Werkzeug has spooled the multipart part to a temporary file, never all in memory). Either way back to the
    indicator (303), a refused file's reason under the file field."""
    contract_id = str(contract_id)
    back = url_for("contracts.indicator_view", contract_id=contract_id, code=code) + "#documents"
    upload = request.files.get("document")
    if "version" in request.form:
        indicator = ok_json(contracts_call("GET", indicator_path(contract_id, code)))
        values, answers = typed_values(indicator)
        if values != stored_values(indicator):
            saved = send_answers(contract_id, code, values, answers)
            if saved.status_code != 200:
                return save_refused(contract_id, code, indicator, values, saved, upload_error=NOT_SENT)
            flash(f"Vos saisies sur l'indicateur « {indicator['label']} » sont enregistrées.", "success")
    if upload is None or not upload.filename:
        return upload_refused_back(back, f"{contract_id}/{code}", "Sélectionnez le document à ajouter.")
    answer = send_document(f"/indicators/{contract_id}/{quote(code, safe='')}/documents", upload)
    refusal = upload_refused(answer, upload)
    if refusal:
        return upload_refused_back(back, f"{contract_id}/{code}", refusal)
    return redirect(back, 303)


NOT_SENT = ("Le document n'a pas été ajouté : corrigez d'abord les valeurs saisies (rien n'a été enregistré), puis "
            "sélectionnez-le à nouveau.")


@bp.get("/contrats/<uuid:contract_id>/documents/<uuid:document_id>")
@login_required
def document_download(contract_id, document_id):
    return download_document(document_id)


# -- The ARS: review of a closed contract ---------------------------------------------------------

@bp.post("/contrats/<uuid:contract_id>/accepter")
@login_required
def contract_accept(contract_id):
    require_role(roles.CAMPAIGN_AUTHORITIES, ARS_ONLY)
    flash_refusal(contracts_call("POST", f"/contracts/{contract_id}/accept"),
                  "Le rapport d'auto-évaluation est accepté.")
    return redirect(url_for("contracts.contract_view", contract_id=str(contract_id)))


@bp.post("/contrats/<uuid:contract_id>/rouvrir")
@login_required
def contract_reopen(contract_id):
    require_role(roles.CAMPAIGN_AUTHORITIES, ARS_ONLY)
    contract_id = str(contract_id)
    reason = request.form.get("motif", "").strip()
    if not reason:
        return contract_page(contract_id, reason=reason, reason_error="Indiquez le motif de la réouverture : "
                                                                      "il est transmis à l'établissement.", status=422)
    answer = contracts_call("POST", f"/contracts/{contract_id}/reopen", json={"reason": reason})
    if answer.status_code == 200:
        flash("La saisie est rouverte : l'établissement peut à nouveau modifier ses indicateurs.", "success")
        return redirect(url_for("contracts.contract_view", contract_id=contract_id))
    code, message, _ = api_error(answer)
    if code == "validation_failed":
        return contract_page(contract_id, reason=reason, reason_error=message, status=422)
    if code == "not_closed":
        flash(message, "error")
        return redirect(url_for("contracts.contract_view", contract_id=contract_id))
    raise unexpected(answer)


