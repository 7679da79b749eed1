"""Everything « EDITER LES DONNEES » prints (read by the reporting service with the caller's token): the contract
view and, for every indicator the caller may see, its page (answers, comment, documents, latest history), and the
messages exchanged with the ARS (never a private note, whoever asks: the document is shared).

Read in a constant number of statements whatever the number of indicators — the contract with the caller's
membership, its restrictions, its answers, its documents, and the latest HISTORY changes of every indicator in
one windowed query, and the messages — where one indicator_view() per indicator cost 5 statements each (253 for 50
indicators)."""

from functools import cache

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import messaging
from ecars_common.tokens import Identity
from services.contracts import access, campaign_indicators, evaluation, holders
from services.contracts.audit import visible
from services.contracts.orm import audit, messages


@cache
def history_query(authority: bool) -> sa.Select:
    """The latest evaluation.HISTORY changes of each indicator of the contract :contract_id, newest first; the
    authority's own ones (« À suivre ») for the authority only."""
    ranked = (sa.select(audit, sa.func.row_number().over(partition_by=audit.c.indicator_code,
                                                         order_by=audit.c.id.desc()).label("rank"))
              .where(audit.c.contract_id == sa.bindparam("contract_id"), audit.c.indicator_code.is_not(None),
                     visible(authority))
              .subquery())
    return (sa.select(ranked).where(ranked.c.rank <= evaluation.HISTORY)
            .order_by(ranked.c.indicator_code, ranked.c.id.desc()))


def export(session: Connection, identity: Identity, contract_id: str) -> dict:
    contract = access.load(session, identity, contract_id)
    indicators = campaign_indicators.indicators_of(session, contract["campaign_id"])
    saved = evaluation.answers_of(session, contract_id)
    rules, people = holders.restrictions_and_people(session, contract_id)
    documents = evaluation.documents_of(session, contract_id)
    history: dict[str, list] = {}
    for row in session.execute(history_query(access.is_authority(identity, contract)),
                               {"contract_id": contract_id}).mappings():
        history.setdefault(row["indicator_code"], []).append(row)
    view = evaluation.contract_view_of(session, identity, contract, indicators, saved, rules, people)
    view["messages"] = messaging.items_of(session, messages, contract_id, authority=False)
    details = {indicator.code: indicator for indicator in indicators}
    view["indicators"] = [
        item if item["hidden"] else {**item, **evaluation.indicator_detail(
            session, identity, contract, details[item["code"]], rules.get(item["code"]), saved.get(item["code"], {}),
            documents.get(item["code"], []), history.get(item["code"], []))}
        for item in view["indicators"]]
    return view
