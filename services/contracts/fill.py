"""Fill rates and what is missing, for many contracts at once (the calendar job, bulk filters, exports and
the dashboard): the answers of a set of contracts in one query, each campaign's template parsed once.

Issue 21 keeps fill rates at write time; once it lands, `rates` can read that column instead."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from services.contracts import campaign_indicators, domain
from services.contracts.orm import indicator_answers


@dataclass(frozen=True)
class Progress:
    fill_percentage: int
    missing: list[dict]  # domain.missing(): indicator code, label, the unanswered required questions


def values_of(session: Connection, contract_ids: list[str]) -> dict[str, dict[str, dict]]:
    """contract id → indicator code → answers."""
    out: dict[str, dict[str, dict]] = {contract_id: {} for contract_id in contract_ids}
    if not contract_ids:
        return out
    rows = session.execute(sa.select(indicator_answers.c.contract_id, indicator_answers.c.indicator_code,
                                     indicator_answers.c.answers)
                           .where(indicator_answers.c.contract_id.in_(contract_ids)))
    for contract_id, code, answers in rows:
        out[contract_id][code] = answers
    return out


def progress_of(session: Connection, contracts: list) -> dict[str, Progress]:
    """contract id → its Progress, for rows holding `id` and `campaign_id`."""
    values = values_of(session, [c["id"] for c in contracts])
    out = {}
    for contract in contracts:
        indicators = campaign_indicators.indicators_of(session, contract["campaign_id"])
        mine = values[contract["id"]]
        out[contract["id"]] = Progress(domain.fill_percentage(indicators, mine), domain.missing(indicators, mine))
    return out


def rates(session: Connection, campaign_id: str, contract_ids: list[str]) -> dict[str, int]:
    indicators = campaign_indicators.indicators_of(session, campaign_id)
    values = values_of(session, contract_ids)
    return {contract_id: domain.fill_percentage(indicators, values[contract_id]) for contract_id in contract_ids}
