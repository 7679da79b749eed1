"""HTTP API of running a campaign (the ARS side, docs/campaigns.md): the region's campaigns, their calendar, a
contract's extension, bulk actions, exports for analysts and the dashboard's figures."""

from flask import Blueprint, jsonify, request

from ecars_common.app import unit_of_work
from ecars_common.payload import json_object, string_field
from ecars_common.tokens import authenticated, current_identity
from services.contracts import bulk, bulk_request, campaign_figures, campaign_list, deadlines, extensions
from services.contracts.api import calendar_fields, date_field

bp = Blueprint("campaign", __name__)
REASON_MAX = 2000


@bp.get("/campaigns")
@authenticated
def list_campaigns():
    """« Mes campagnes »: the region's campaigns with their calendar and counts."""
    with unit_of_work() as session:
        return jsonify({"items": campaign_list.region_campaigns(session, current_identity(),
                                                                deadlines.today_in_paris())})


@bp.put("/campaigns/<uuid:campaign_id>/calendar")
@authenticated
def set_calendar(campaign_id):
    """{"opens_on": "AAAA-MM-JJ" | null, "closes_on": "AAAA-MM-JJ" | null}: the entry's calendar."""
    dates = calendar_fields(json_object())
    with unit_of_work() as session:
        return jsonify(extensions.set_campaign_calendar(session, current_identity(), str(campaign_id), **dates))


@bp.post("/contracts/<uuid:contract_id>/deadline")
@authenticated
def extend_deadline(contract_id):
    """{"closes_on": "AAAA-MM-JJ", "reason": "..."}: this EJ's own, later, closing date."""
    data = json_object()
    new_date = date_field(data, "closes_on")
    reason = string_field(data, "reason", max_length=REASON_MAX)
    identity = current_identity()
    with unit_of_work() as session:
        contract = extensions.load_for_authority(session, identity, str(contract_id))
        return jsonify(extensions.extend(session, identity, contract, new_date, reason, deadlines.today_in_paris()))


@bp.post("/campaigns/<uuid:campaign_id>/bulk")
@authenticated
def bulk_action(campaign_id):
    """{"action": "remind" | "accept" | "reopen" | "extend", "contract_ids": [...] | "filter": {...}, "reason",
    "closes_on"}: the action done once per selected contract; the answer lists what was done and what was refused."""
    today = deadlines.today_in_paris()
    wanted = bulk_request.parse(json_object(), today)
    with unit_of_work() as session:
        return jsonify(bulk.run(session, current_identity(), str(campaign_id), wanted, today))


@bp.get("/campaigns/<uuid:campaign_id>/figures")
@authenticated
def dashboard_figures(campaign_id):
    """The ARS's dashboard: fill-rate distribution, counts by status and département, closing soon with a low fill
    rate (?within_days=14&fill_below=50)."""
    wanted = campaign_figures.thresholds(request.args)
    with unit_of_work() as session:
        return jsonify(campaign_figures.figures(session, current_identity(), str(campaign_id),
                                                deadlines.today_in_paris(), wanted))
