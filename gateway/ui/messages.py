"""« Messages » of a contract (/contrats/<id>/messages) and of a CPOM (/cpom/<id>/messages), issue 18: the thread
between the EJ's people and the authority (ARS / CD) — the owning service's (contracts, cpom: ecars_common.messaging)
—, its pièces jointes (documents of the documents service, owner « message »), and the form to write: a message with
one optional attachment, or for the authority a private note. One page for both owners; the contract's and the CPOM's
pages link to it (docs/messaging.md).

Writing: the file's format and size are checked first against what the documents service accepts (GET /formats), so
that a refused file loses nothing typed and sends nothing; then the message is posted, then the file is joined to it.
A file the documents service still refuses (its content does not match its extension) leaves the message sent,
and says so beside the file field."""

import os
from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for

from ecars_common.errors import ApiError
from gateway.ui.french import human_size, moment
from gateway.ui.indicator_form import accepted_formats
from gateway.ui.pages import login_required, page_blueprint, upload_refusal_for, upload_refused, upload_refused_back
from gateway.ui.session import api_error, call, download_document, ok_json, referential, send_document, unexpected

bp = page_blueprint("messages", human_size=human_size, moment=moment)


@dataclass(frozen=True)
class Owner:
    """Where a thread lives: the service and its path, the documents service's scope, the web page's prefix."""
    service: str
    api: str  # /contracts/<id> or /cpoms/<id>
    scope: str  # contracts | cpoms, in the documents service's paths
    page: str  # /contrats/<id> or /cpom/<id>
    what: str  # « du contrat », « du CPOM »


def contract(contract_id) -> Owner:
    return Owner("contracts", f"/contracts/{contract_id}", "contracts", f"/contrats/{contract_id}", "du contrat")


def cpom(cpom_id) -> Owner:
    return Owner("cpom", f"/cpoms/{cpom_id}", "cpoms", f"/cpom/{cpom_id}", "du CPOM")


def heading(owner: Owner) -> dict:
    """The name and the EJ shown over the thread, from the contract's or the CPOM's own view."""
    seen = ok_json(call(owner.service, "GET", owner.api))
    if owner.service == "contracts":
        return {"name": seen["name"], "ej": f"{seen['ej']['finess']} - {seen['ej']['raison_sociale']}",
                "ej_finess": seen["ej"]["finess"]}
    return {"name": seen["nom"], "ej": seen["ej"]["libelle"], "ej_finess": seen["ej"]["finess"]}


def attachments_by_message(owner: Owner) -> dict[str, list[dict]]:
    try:
        answer = call("documents", "GET", f"/messages/{owner.scope}/{owner.api.rsplit('/', 1)[1]}/documents")
    except ApiError:
        return {}
    out: dict[str, list[dict]] = {}
    if answer.status_code == 200:
        for item in answer.json()["items"]:
            out.setdefault(item["owner"].get("message_id"), []).append(item)
    return out


def thread_page(owner: Owner, text: str = "", private: bool = False, errors: dict | None = None, status: int = 200):
    thread = ok_json(call(owner.service, "GET", f"{owner.api}/messages"))
    errors = dict(errors or {})
    if not errors.get("piece_jointe"):
        errors["piece_jointe"] = upload_refusal_for(f"messages{owner.page}")
    return render_template(
        "messages/thread.html", owner=owner, heading=heading(owner), messages=thread["items"],
        authority=thread["authority"], max_length=thread.get("max_length", 5000),
        attachments=attachments_by_message(owner), text=text, private=private, errors=errors,
        accepted_formats=accepted_formats()), status


def file_problem(upload) -> str:
    """What the documents service would refuse at once in the chosen file (its extension, its size); "" if none."""
    extension = os.path.splitext(upload.filename)[1].lstrip(".").lower()
    formats = accepted_formats()
    if formats and extension not in formats:
        shown = f"« .{extension[:20]} »" if extension else "sans extension"
        return f"Le format {shown} n'est pas accepté. Formats acceptés : {', '.join(formats)}."
    try:
        limit = referential("documents", "/formats")["max_bytes"]
    except (ApiError, KeyError):
        return ""
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    return f"Le fichier dépasse la taille maximale de {human_size(limit)}." if size > limit else ""


def write(owner: Owner):
    """« Envoyer » : the message (and its pièce jointe), or the form again with what was typed and the reason."""
    text = request.form.get("texte", "")
    private = request.form.get("note_privee") == "oui"
    upload = request.files.get("piece_jointe")
    upload = upload if upload is not None and upload.filename else None
    if not text.strip():
        return thread_page(owner, text, private, {"texte": "Le message est vide : écrivez votre message avant de "
                                                            "l'envoyer."}, 422)
    if upload is not None and (problem := file_problem(upload)):
        return thread_page(owner, text, private, {"piece_jointe": problem + " Le message n'a pas été envoyé."}, 422)
    answer = call(owner.service, "POST", f"{owner.api}/messages", json={"text": text, "private": private})
    if answer.status_code != 201:
        code, message, _ = api_error(answer)
        if answer.status_code in (403, 422) and message:
            return thread_page(owner, text, private, {"texte": message}, answer.status_code)
        raise unexpected(answer)
    message_id = answer.json()["id"]
    back = url_for(f"messages.{owner.service}_thread", scope_id=owner.api.rsplit("/", 1)[1]) + f"#message-{message_id}"
    flash("Votre note privée est enregistrée." if private else "Votre message est envoyé.", "success")
    if upload is None:
        return redirect(back, 303)
    sent = send_document(f"/messages/{owner.scope}/{owner.api.rsplit('/', 1)[1]}/{message_id}/documents", upload)
    refusal = upload_refused(sent, upload)
    if refusal:
        return upload_refused_back(back, f"messages{owner.page}", f"Le message est envoyé, mais sa pièce jointe "
                                                                  f"« {upload.filename} » est refusée : {refusal}")
    return redirect(back, 303)


@bp.get("/contrats/<uuid:scope_id>/messages")
@login_required
def contracts_thread(scope_id):
    return thread_page(contract(scope_id))


@bp.post("/contrats/<uuid:scope_id>/messages")
@login_required
def contracts_write(scope_id):
    return write(contract(scope_id))


@bp.get("/cpom/<uuid:scope_id>/messages")
@login_required
def cpom_thread(scope_id):
    return thread_page(cpom(scope_id))


@bp.post("/cpom/<uuid:scope_id>/messages")
@login_required
def cpom_write(scope_id):
    return write(cpom(scope_id))


@bp.get("/messages/pieces-jointes/<uuid:document_id>")
@login_required
def attachment(document_id):
    """A pièce jointe, as the documents service lets the caller read it (404 otherwise)."""
    return download_document(document_id)
