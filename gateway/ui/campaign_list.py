"""« Mes campagnes » (/campagnes): the ARS's way into its campaigns — each campaign of the region with its
calendar, its contracts by status and their mean fill rate, linking to « Suivi des contrats » and the dashboard.
Before it, a campaign was reached only from one of its contracts."""

from flask import render_template

from ecars_common import roles
from gateway.ui.french import french_date
from gateway.ui.pages import login_required, page_blueprint, require_role
from gateway.ui.session import call, ok_json

bp = page_blueprint("campaign_list", french_date=french_date)


@bp.get("/campagnes")
@login_required
def campaigns_of_my_region():
    require_role(roles.CAMPAIGN_AUTHORITIES, "Réservé aux agents de l'ARS.")
    campaigns = ok_json(call("contracts", "GET", "/campaigns"))["items"]
    return render_template("contracts/campaign_list.html", campaigns=campaigns)
