"""HTTP API of the helps to entering data (issue 18, docs/data-entry.md): an indicator's draft (the caller's, as
typed), and the ARS's « À suivre » flags."""

from flask import Blueprint, jsonify

from ecars_common.app import unit_of_work
from ecars_common.payload import json_object, string_field
from ecars_common.tokens import authenticated, current_identity
from services.contracts import drafts, flags
from services.contracts.api import answers_and_comment

bp = Blueprint("entry", __name__)
DRAFT = "/contracts/<uuid:contract_id>/indicators/<code>/draft"
FLAG = "/contracts/<uuid:contract_id>/indicators/<code>/flag"


@bp.put(DRAFT)
@authenticated
def put_draft(contract_id, code: str):
    """{"answers": {question code: value as typed}, "comment": "..."}: kept as typed, not checked, no dot changed."""
    answers, comment = answers_and_comment(json_object())
    with unit_of_work() as session:
        return jsonify(drafts.put(session, current_identity(), str(contract_id), code, answers, comment))


@bp.get(DRAFT)
@authenticated
def get_draft(contract_id, code: str):
    with unit_of_work() as session:
        return jsonify(drafts.get(session, current_identity(), str(contract_id), code))


@bp.delete(DRAFT)
@authenticated
def delete_draft(contract_id, code: str):
    """« Ignorer » the draft."""
    with unit_of_work() as session:
        drafts.delete(session, current_identity(), str(contract_id), code)
    return "", 204


@bp.put(FLAG)
@authenticated
def put_flag(contract_id, code: str):
    """« À suivre »: {"note": "..."} (ARS of the campaign)."""
    note = string_field(json_object(), "note", max_length=flags.NOTE_MAX)
    with unit_of_work() as session:
        return jsonify(flags.flag(session, current_identity(), str(contract_id), code, note))


@bp.delete(FLAG)
@authenticated
def delete_flag(contract_id, code: str):
    """« Ne plus suivre »."""
    with unit_of_work() as session:
        flags.unflag(session, current_identity(), str(contract_id), code)
    return "", 204


@bp.get("/campaigns/<uuid:campaign_id>/flags")
@authenticated
def campaign_flags(campaign_id):
    """The campaign's values « À suivre », latest first (ARS)."""
    with unit_of_work() as session:
        return jsonify(flags.campaign_flags(session, current_identity(), str(campaign_id)))
