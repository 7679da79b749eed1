"""« Journal du CPOM » (/cpom/<id>/journal, issue 18: the messages « shown in the history »): who did what to the
CPOM, when — status, validations, grid, entry, remarks, transmissions, messages and private notes (each linked to its
place in « Messages ») — newest first, as the cpom service names and sums up each row (GET /cpoms/<id>/journal,
services/cpom/journal.py). The authorities' (ARS, CD) and admin's: the service refuses anyone else."""

from flask import render_template

from gateway.ui.cpom import cpom_call
from gateway.ui.french import PLATFORM_AUTHOR, ROLE_LABELS, moment
from gateway.ui.pages import login_required, page_blueprint
from gateway.ui.session import ok_json

bp = page_blueprint("cpom_journal")
MESSAGES = ("message.sent", "message.note")


def described(item: dict, cpom_id: str) -> dict:
    details = item.get("details") or {}
    link = (f"/cpom/{cpom_id}/messages#message-{details['message_id']}"
            if item["action"] in MESSAGES and details.get("message_id") else None)
    by = item.get("par") or PLATFORM_AUTHOR
    if item.get("role"):
        by = f"{by} ({ROLE_LABELS.get(item['role'], item['role'])})"
    return {"at": moment(item["le"]), "by": by, "what": item["libelle"], "summary": item["resume"], "link": link}


@bp.get("/cpom/<uuid:cpom_id>/journal")
@login_required
def cpom_journal(cpom_id):
    cpom_id = str(cpom_id)
    journal = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/journal"))  # 403 « réservé aux autorités » otherwise
    cpom = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    return render_template("cpom/journal.html", cpom=cpom,
                           rows=[described(item, cpom_id) for item in journal["items"]])
