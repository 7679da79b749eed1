"""« Tableau de bord » of a campaign, for its ARS: the fill-rate distribution (a chart drawn on the server, and the
same figures as a table), the contracts by status and by département, and those closing soon with a low fill
rate — all figures from the contracts service (GET /campaigns/<id>/figures) —, and the exports for analysts
(the campaign as XLSX or CSV, its attachments as a ZIP), streamed from the contracts service to the browser."""

from urllib.parse import urlencode

from flask import render_template, request

from ecars_common import roles
from gateway.ui.charts import bar_chart
from gateway.ui.french import french_date
from gateway.ui.pages import field_errors, login_required, page_blueprint, require_role
from gateway.ui.session import api_error, call, ok_json, streamed, unexpected

bp = page_blueprint("campaign_dashboard")
LABELS = {"within_days": "Clôture dans au plus (jours)", "fill_below": "Remplissage inférieur à (%)"}
FILE_HEADERS = ("Content-Type", "Content-Disposition", "Cache-Control")
EXPORTS = [("xlsx", "long", "Classeur XLSX – une ligne par contrat et indicateur"),
           ("xlsx", "wide", "Classeur XLSX – une ligne par contrat, une colonne par indicateur"),
           ("csv", "long", "CSV – une ligne par contrat et indicateur"),
           ("csv", "wide", "CSV – une ligne par contrat, une colonne par indicateur")]
STATUS_LABELS = {"AUTO-EVALUATION": "En saisie (AUTO-EVALUATION)", "CONSULTATION": "Clos (CONSULTATION)",
                 "ACCEPTE": "dont acceptés par l'ARS"}


def bucket_label(bucket: dict) -> str:
    return "100 %" if bucket["from"] == 100 else f"{bucket['from']}–{bucket['to']} %"


@bp.get("/campagnes/<uuid:campaign_id>/tableau-de-bord")
@login_required
def dashboard(campaign_id):
    require_role(roles.CAMPAIGN_AUTHORITIES, "Réservé aux agents de l'ARS.")
    asked = {name: request.args.get(name, "").strip() for name in LABELS}
    query = urlencode({name: value for name, value in asked.items() if value})
    answer = call("contracts", "GET", f"/campaigns/{campaign_id}/figures" + (f"?{query}" if query else ""))
    errors, status = {}, 200
    if answer.status_code == 422:
        code, message, details = api_error(answer)
        errors, status = field_errors(details, LABELS) or {"_": message}, 422
        answer = call("contracts", "GET", f"/campaigns/{campaign_id}/figures")
    if answer.status_code != 200:
        raise unexpected(answer)
    figures = ok_json(answer)
    bars = [(bucket_label(b), b["count"]) for b in figures["fill_distribution"]]
    description = "Nombre de contrats par tranche de remplissage : " + " ; ".join(f"{label} : {count}"
                                                                                   for label, count in bars) + "."
    chart = bar_chart(bars, "repartition", "Répartition des contrats par taux de remplissage", description)
    return render_template("contracts/campaign_dashboard.html", figures=figures, chart=chart, bars=bars,
                           status_labels=STATUS_LABELS, exports=EXPORTS, asked=asked, errors=errors, labels=LABELS,
                           french_date=french_date), status


@bp.get("/campagnes/<uuid:campaign_id>/export")
@login_required
def export(campaign_id):
    """The campaign's export (?format=xlsx|csv&shape=long|wide), streamed as the contracts service writes it."""
    require_role(roles.CAMPAIGN_AUTHORITIES, "Réservé aux agents de l'ARS.")
    query = urlencode({"format": request.args.get("format", "xlsx"), "shape": request.args.get("shape", "long")})
    return streamed(call("contracts", "GET", f"/campaigns/{campaign_id}/export?{query}", stream=True), FILE_HEADERS)


@bp.get("/campagnes/<uuid:campaign_id>/documents.zip")
@login_required
def attachments(campaign_id):
    """Every attachment of the campaign's contracts as one ZIP, named by EJ and indicator."""
    require_role(roles.CAMPAIGN_AUTHORITIES, "Réservé aux agents de l'ARS.")
    return streamed(call("contracts", "GET", f"/campaigns/{campaign_id}/attachments", stream=True), FILE_HEADERS)
