"""A campaign's indicators, parsed once per process: a template never changes once its campaign exists
(there is no route that edits it), and parsing 300 indicators at every request was a third of the time
of opening a contract (bench/README.md)."""

import sqlalchemy as sa
from sqlalchemy import Connection

from services.contracts import domain
from services.contracts.orm import campaigns

_parsed: dict[str, list[domain.Indicator]] = {}


def indicators_of(session: Connection, campaign_id: str) -> list[domain.Indicator]:
    if campaign_id not in _parsed:
        raw = session.execute(sa.select(campaigns.c.template).where(campaigns.c.id == campaign_id)).scalar_one()
        _parsed[campaign_id] = domain.template_from_json(raw)
    return _parsed[campaign_id]
