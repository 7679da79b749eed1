"""« Historique du contrat » (/contrats/<id>/historique, issue 18): every change of the contract as the contracts
service keeps it (GET /contracts/<id>/history, services/contracts/history.py) — answers, status, review, closing
date, reminders, messages exchanged (each linked to its place in the thread) — newest first, 50 a page
(« Modifications plus anciennes »: ?avant=<id of the last row shown>)."""

from flask import render_template, request

from ecars_common.numbers import BIGINT_MAX, whole_number
from gateway.ui.contracts import load_contract
from gateway.ui.french import PLATFORM_AUTHOR, moment, shown
from gateway.ui.pages import login_required, page_blueprint
from gateway.ui.session import call, ok_json

bp = page_blueprint("contract_history")
INVALID_PAGE = "Lien de page invalide : voici les modifications les plus récentes."
SIDES = {"etablissement": "de l'établissement", "autorite": "de l'autorité"}


def described(item: dict, contract_id: str) -> dict:
    """One row in words: what changed, from what to what, and a link when there is one (a message)."""
    old, new, link = shown(item["old"]), shown(item["new"]), None
    if item["field"] == "message" and isinstance(item["new"], dict):
        old, new = "—", f"Message {SIDES.get(item['new'].get('side'), '')}".strip()
        link = f"/contrats/{contract_id}/messages#message-{item['new'].get('message_id')}"
    elif item["field"] == "reminder" and isinstance(item["new"], dict):
        count = item["new"].get("recipients") or 0
        old, new = "—", f"Relance envoyée à {count} contact{'s' if count > 1 else ''}"
    elif item["field"] == "holders":
        old, new = (", ".join(v) if isinstance(v, list) else shown(v) for v in (item["old"], item["new"]))
    indicator = item["indicator_label"] or item["indicator_code"]
    what = f"{indicator} – {item['label']}" if indicator else item["label"]
    return {"id": item["id"], "at": moment(item["at"]), "by": item["by"] or PLATFORM_AUTHOR, "what": what, "old": old,
            "new": new, "link": link, "reason": item["reason"] or ""}


@bp.get("/contrats/<uuid:contract_id>/historique")
@login_required
def contract_history(contract_id):
    contract_id = str(contract_id)
    contract = load_contract(contract_id)
    raw = request.args.get("avant")
    before = None if raw is None else whole_number(raw, 1, BIGINT_MAX)
    error = INVALID_PAGE if raw is not None and before is None else ""
    path = f"/contracts/{contract_id}/history" + (f"?before={before}" if before else "")
    history = ok_json(call("contracts", "GET", path))
    rows = [described(item, contract_id) for item in history["items"]]
    return render_template("contracts/history.html", contract=contract, rows=rows, error=error,
                           older=history["next_before"], newest=before is None), 400 if error else 200
