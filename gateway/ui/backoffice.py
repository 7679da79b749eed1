"""« Suivi des transmissions »: for ARS and CD users, the CPOM transmissions and the closed
self-evaluations of their territory, newest first, with links to the CPOM or the contract; and the CPOM grids
of their territory as one XLSX or CSV file for analysts, streamed from the cpom service."""

from flask import abort, render_template, request

from ecars_common import roles
from gateway.ui.pages import login_required, page_blueprint, require_role
from gateway.ui.session import call, streamed

bp = page_blueprint("backoffice")
AUTHORITIES_ONLY = "Réservé aux agents de l'ARS et du département."
FILE_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")
GRID_EXPORTS = (("xlsx", "Classeur XLSX"), ("csv", "CSV"))


@bp.get("/suivi-des-transmissions")
@login_required
def territory():
    require_role(roles.AUTHORITIES, AUTHORITIES_ONLY)
    rows, unavailable = [], []
    transmissions = call("cpom", "GET", "/territoire/transmissions")
    if transmissions.status_code == 200:
        rows += [{"at": t["transmitted_at"], "kind": "Transmission CPOM", "link": f"/cpom/{t['cpom_id']}",
                  "title": f"{t['cpom_name']} (transmission n° {t['version']})",
                  "ej": f"{t['ej_finess']} - {t['ej_raison_sociale']}", "by": t["transmitted_by_email"],
                  "detail": f"{t['changes']} changement(s)" if t["version"] > 1 else "première transmission"}
                 for t in transmissions.json()["items"]]
    else:
        unavailable.append("CPOM")
    closings = call("contracts", "GET", "/territoire/clotures")
    if closings.status_code == 200:
        rows += [{"at": c["closed_at"], "kind": "Auto-évaluation close", "link": f"/contrats/{c['contract_id']}",
                  "title": c["contract_name"], "ej": f"{c['ej_finess']} - {c['ej_raison_sociale']}", "by": "",
                  "detail": f"récépissé {c['receipt_hash'][:12]}…" + (" – acceptée" if c["review"] else "")}
                 for c in closings.json()["items"]]
    elif closings.status_code != 403:  # a CD has no self-evaluation contracts
        unavailable.append("contrats")
    rows.sort(key=lambda r: r["at"], reverse=True)
    return render_template("backoffice.html", rows=rows, unavailable=unavailable, grid_exports=GRID_EXPORTS)


@bp.get("/suivi-des-transmissions/grilles-cpom")
@login_required
def territory_grids():
    """?format=xlsx|csv: every CPOM grid of the territory, one row per CPOM × objective × indicator × ET."""
    require_role(roles.AUTHORITIES, AUTHORITIES_ONLY)
    format = request.args.get("format", "xlsx")
    if format not in dict(GRID_EXPORTS):
        abort(404)
    return streamed(call("cpom", "GET", f"/territoire/grilles/export?format={format}", stream=True), FILE_HEADERS)
