"""« Historique du contrat » (issue 18: messages « shown in the contract's history »): every change audit.record()
kept — an indicator's answers and comment, the status (closing, reopening, locking at the closing date), the ARS's
review, a closing-date extension, a reminder, who must fill an indicator, a message exchanged — newest first, a page
at a time (`before`: the id of the last row shown).

Only what the caller may see: the rows of an indicator hidden from them are left out, and the authority's own rows
(audit.AUTHORITY_FIELDS: the « À suivre » flags) are shown to the authority only — here, on the indicator's page
and in « EDITER LES DONNEES » alike (audit.visible)."""

import sqlalchemy as sa
from flask import Blueprint, jsonify, request

from ecars_common.app import unit_of_work
from ecars_common.errors import ApiError
from ecars_common.numbers import BIGINT_MAX, whole_number
from ecars_common.tokens import Identity, authenticated, current_identity
from services.contracts import access, campaign_indicators
from services.contracts.audit import field_label, visible
from services.contracts.orm import audit

PAGE_SIZE = 50
bp = Blueprint("contract_history", __name__)


def hidden_codes(session, identity: Identity, contract_id: str) -> list[str]:
    return [code for code, restriction in access.restrictions_of(session, contract_id).items()
            if access.hidden_from(identity, restriction)]


def page(session, identity: Identity, contract_id: str, before: int | None, size: int = PAGE_SIZE) -> dict:
    contract = access.load(session, identity, contract_id)
    hidden = hidden_codes(session, identity, contract_id)
    query = (sa.select(audit).where(audit.c.contract_id == contract_id,
                                    visible(access.is_authority(identity, contract)))
             .order_by(audit.c.id.desc()).limit(size + 1))
    if hidden:
        query = query.where(sa.or_(audit.c.indicator_code.is_(None), audit.c.indicator_code.not_in(hidden)))
    if before is not None:
        query = query.where(audit.c.id < before)
    rows = session.execute(query).mappings().all()
    indicators = {i.code: i for i in campaign_indicators.indicators_of(session, contract["campaign_id"])}
    comment_label = f"Commentaire évalué {contract['evaluated_year']}"
    items = [item(row, indicators.get(row["indicator_code"]), comment_label) for row in rows[:size]]
    return {"items": items, "next_before": rows[size - 1]["id"] if len(rows) > size else None}


def item(row, indicator, comment_label: str) -> dict:
    label = field_label(row["field"], indicator, comment_label)
    return {"id": row["id"], "at": row["at"].isoformat(), "by": row["by_email"], "field": row["field"],
            "label": label, "indicator_code": row["indicator_code"],
            "indicator_label": indicator.label if indicator else None,
            "old": row["old"], "new": row["new"], "reason": row["reason"]}


@bp.get("/contracts/<uuid:contract_id>/history")
@authenticated
def contract_history(contract_id):
    raw = request.args.get("before")
    before = None if raw is None else whole_number(raw, 1, BIGINT_MAX)
    if raw is not None and before is None:
        raise ApiError(422, "validation_failed", "« before » doit être un entier positif.", {"before": "entier ≥ 1"})
    with unit_of_work() as session:
        return jsonify(page(session, current_identity(), str(contract_id), before))
