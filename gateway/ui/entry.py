"""The helps to entering data on an indicator's form (issue 18, docs/data-entry.md): its draft — sent by the
script as the person types (debounced, JSON answer for its status line) or by « Enregistrer le brouillon »
without it —, « Ignorer » the draft, « Reprendre les réponses de <année> » (last campaign's text and yes/no
answers into the empty fields, as a draft), and the ARS's « À suivre » flag. Each goes back to the indicator
(303); the indicator's page itself is gateway/ui/contracts.py.

A draft sent after the session ended is kept by the pages' « form kept across a session timeout » (pages.py,
issue 16) like any form, and offered back on the indicator once signed in again."""

from urllib.parse import quote

from flask import flash, jsonify, redirect, request, session, url_for

from ecars_common import roles
from gateway.ui.entry_aids import draft_status, prefill, typed_draft
from gateway.ui.pages import field_errors, flash_refusal, login_required, page_blueprint, require_role
from gateway.ui.session import api_error, call, ok_json, unexpected

bp = page_blueprint("entry")
NOT_SAVED = "Enregistrement impossible, vos données sont conservées dans la page"
ARS_ONLY = "Seuls les agents de l'ARS marquent une valeur « À suivre »."


def service_path(contract_id, code: str, part: str = "") -> str:
    return f"/contracts/{contract_id}/indicators/{quote(code, safe='')}{part}"


def page_of(contract_id, code: str, **args) -> str:
    return url_for("contracts.indicator_view", contract_id=str(contract_id), code=code, **args)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/brouillon")
@login_required
def draft_save(contract_id, code: str):
    """The form as typed, kept as the person's draft (not checked: the dot stays as « Enregistrer » left it)."""
    answer = call("contracts", "PUT", service_path(contract_id, code, "/draft"), json=typed_draft())
    if answer.status_code == 200:
        status = draft_status(answer.json())
        if wants_json():
            return jsonify({"status": status, "saved_at": answer.json()["saved_at"]})
        flash(f"{status} : il n'est pas encore validé. Vérifiez vos saisies, puis « Enregistrer ».", "success")
        return redirect(page_of(contract_id, code, brouillon="repris") + "#indicateur", 303)
    _, message, _ = api_error(answer)
    if answer.status_code >= 500 or not message:
        if wants_json():
            return jsonify({"status": NOT_SAVED + "."}), 502
        raise unexpected(answer)
    if wants_json():
        return jsonify({"status": f"{NOT_SAVED} : {message}"}), answer.status_code
    flash(message, "error")
    return redirect(page_of(contract_id, code), 303)


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/brouillon/ignorer")
@login_required
def draft_ignore(contract_id, code: str):
    """« Ignorer »: the draft is deleted, the indicator stays as it was saved."""
    answer = call("contracts", "DELETE", service_path(contract_id, code, "/draft"))
    if answer.status_code != 204:
        raise unexpected(answer)
    flash("Le brouillon est supprimé : l'indicateur est affiché tel qu'il est enregistré.", "info")
    return redirect(page_of(contract_id, code), 303)


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/reprendre-precedente")
@login_required
def previous_prefill(contract_id, code: str):
    """« Reprendre les réponses de <année> »: last campaign's text and yes/no answers into the fields left empty
    (what was typed stays), kept as a draft and shown in the form, to check before « Enregistrer »."""
    indicator = ok_json(call("contracts", "GET", service_path(contract_id, code)))
    draft = typed_draft()
    for name, value in prefill(indicator).items():
        if not str(draft["answers"].get(name[2:], "")).strip():
            draft["answers"][name[2:]] = value
    answer = call("contracts", "PUT", service_path(contract_id, code, "/draft"), json=draft)
    flash_refusal(answer, f"Les réponses de {indicator['previous']['evaluated_year']} sont reprises dans les champs "
                          "vides : vérifiez-les, puis « Enregistrer »." if indicator.get("previous") else None)
    return redirect(page_of(contract_id, code, **({"brouillon": "repris"} if answer.status_code == 200 else {}))
                    + "#indicateur", 303)


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/a-suivre")
@login_required
def flag(contract_id, code: str):
    """« Marquer à suivre », with a note (the ARS); a refused note is kept for its field."""
    require_role(roles.CAMPAIGN_AUTHORITIES, ARS_ONLY)
    note = request.form.get("note", "")
    answer = call("contracts", "PUT", service_path(contract_id, code, "/flag"), json={"note": note})
    if answer.status_code == 200:
        flash("L'indicateur est marqué « À suivre » : il figure dans la liste de la campagne et dans ses exports.",
              "success")
    else:
        code_, message, details = api_error(answer)
        if code_ != "validation_failed":
            raise unexpected(answer)
        message = field_errors(details, {"note": "Note de suivi"}).get("note") or message
        session["flag_refusal"] = {"at": f"{contract_id}/{code}", "message": message, "note": note}
    return redirect(page_of(contract_id, code) + "#a-suivre", 303)


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/a-suivre/retirer")
@login_required
def unflag(contract_id, code: str):
    require_role(roles.CAMPAIGN_AUTHORITIES, ARS_ONLY)
    answer = call("contracts", "DELETE", service_path(contract_id, code, "/flag"))
    if answer.status_code != 204:
        raise unexpected(answer)
    flash("L'indicateur n'est plus « À suivre ».", "info")
    return redirect(page_of(contract_id, code) + "#a-suivre", 303)
