"""Last campaign's value beside each field (issue 18): the same indicator of the same EJ in its contract of the
previous campaign — the latest of the region evaluating an earlier year —, as saved there."""

from functools import cache

import sqlalchemy as sa
from sqlalchemy import Connection

from services.contracts import domain
from services.contracts.orm import campaigns, contracts, indicator_answers


@cache
def previous_query() -> sa.Select:
    """The EJ's (:finess) latest contract of an earlier year (:year) in the region (:region), with its answer of the
    indicator :code (NULL columns when it was never saved there), built once."""
    answer = sa.and_(indicator_answers.c.contract_id == contracts.c.id,
                     indicator_answers.c.indicator_code == sa.bindparam("code"))
    return (sa.select(campaigns.c.name, campaigns.c.evaluated_year, indicator_answers.c.answers,
                      indicator_answers.c.comment)
            .select_from(contracts.join(campaigns, campaigns.c.id == contracts.c.campaign_id)
                         .outerjoin(indicator_answers, answer))
            .where(contracts.c.ej_finess == sa.bindparam("finess"), campaigns.c.region == sa.bindparam("region"),
                   campaigns.c.evaluated_year < sa.bindparam("year"))
            .order_by(campaigns.c.evaluated_year.desc(), campaigns.c.starts_on.desc(), contracts.c.created_at.desc())
            .limit(1))


def previous_answer(session: Connection, contract, code: str):
    """The row of previous_query() for a contract row of access.load(), or None without an earlier contract."""
    return session.execute(previous_query(), {"finess": contract["ej_finess"], "region": contract["region"],
                                              "year": contract["evaluated_year"], "code": code}).first()


def previous_values(session: Connection, contract, code: str) -> dict:
    """Question code → last campaign's value (empty without one): what the tolerance is measured from."""
    row = previous_answer(session, contract, code)
    return dict(row.answers or {}) if row is not None else {}


def shown(question: domain.Question, value) -> str:
    """A previous value as the screen shows it; a value of another kind (the question changed since) as it is."""
    try:
        return domain.display(question, value)
    except (TypeError, ValueError, AttributeError):
        return str(value)


def previous_view(session: Connection, contract, indicator: domain.Indicator) -> dict | None:
    """What the indicator's page shows beside each field: the campaign, and each question's value there."""
    row = previous_answer(session, contract, indicator.code)
    if row is None:
        return None
    saved = row.answers or {}
    return {"campaign": row.name, "evaluated_year": row.evaluated_year, "comment": row.comment or "",
            "values": {q.code: {"value": saved[q.code], "display": shown(q, saved[q.code])}
                       for q in indicator.questions if saved.get(q.code) is not None}}
