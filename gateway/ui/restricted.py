"""« Indicateurs à accès restreint » on the contract's form (guide 000): the EJ's Administrateur gives a grey
indicator to another collaborator of the EJ (« Réattribuer »), e.g. when the one who held it leaves. The list
of who holds each one is on the contract's page (templates/contracts/_restricted.html)."""

from urllib.parse import quote

from flask import redirect, request

from gateway.ui.pages import flash_refusal, login_required, page_blueprint
from gateway.ui.session import call

bp = page_blueprint("restricted")


@bp.post("/contrats/<uuid:contract_id>/indicateurs/<code>/attribution")
@login_required
def reassign(contract_id, code: str):
    """One collaborator chosen in the row's list; the service checks they are one of the EJ's. Success or
    refusal, back to the contract's page (303)."""
    chosen = request.form.get("collaborateur", "").strip()
    answer = call("contracts", "PUT", f"/contracts/{contract_id}/restrictions/{quote(code, safe='')}/holders",
                  json={"user_ids": [chosen] if chosen else []})
    holders = ", ".join(answer.json().get("holders", [])) if answer.status_code == 200 else ""
    flash_refusal(answer, f"L'indicateur est réattribué : il est désormais à renseigner par {holders}.")
    return redirect(f"/contrats/{contract_id}#acces-restreint", 303)
