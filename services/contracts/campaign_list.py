"""« Mes campagnes »: the campaigns of the ARS's region (every region for an administrator), newest first, each with
its calendar and the counts of its contracts by status and their mean fill rate — one aggregate statement whatever
the number of contracts (index contracts.campaign_id). A region runs a few campaigns a year: no paging."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.tokens import Identity
from services.contracts import deadlines, domain
from services.contracts.campaigns import require_ars
from services.contracts.orm import campaigns, contracts

IS_CLOSED = contracts.c.status == domain.CONSULTATION
ROWS = (
    sa.select(campaigns.c.id, campaigns.c.name, campaigns.c.evaluated_year, campaigns.c.region,
              campaigns.c.starts_on, campaigns.c.ends_on, campaigns.c.opens_on, campaigns.c.closes_on,
              sa.func.count(contracts.c.id).label("contracts"),
              sa.func.count(contracts.c.id).filter(IS_CLOSED).label("closed"),
              sa.func.count(contracts.c.id).filter(contracts.c.review == "ACCEPTE").label("accepted"),
              sa.func.round(sa.func.avg(contracts.c.fill_percentage)).label("mean_fill"))
    .select_from(campaigns.outerjoin(contracts, contracts.c.campaign_id == campaigns.c.id))
    .group_by(campaigns.c.id)
    .order_by(campaigns.c.starts_on.desc(), campaigns.c.created_at.desc(), campaigns.c.id)
)


def region_campaigns(session: Connection, identity: Identity, today: date) -> list[dict]:
    require_ars(identity)
    statement = ROWS if identity.role == "admin" else ROWS.where(campaigns.c.region == identity.region)
    out = []
    for row in session.execute(statement).mappings():
        open_for_entry = row["opens_on"] is None or row["opens_on"] <= today
        out.append({
            "id": row["id"], "name": row["name"], "evaluated_year": row["evaluated_year"], "region": row["region"],
            "starts_on": row["starts_on"].isoformat(), "ends_on": row["ends_on"].isoformat(),
            "opens_on": row["opens_on"] and row["opens_on"].isoformat(),
            "closes_on": row["closes_on"] and row["closes_on"].isoformat(),
            "countdown": deadlines.countdown(row["closes_on"], today, open_for_entry),
            "contracts": row["contracts"], "closed": row["closed"], "accepted": row["accepted"],
            "in_progress": row["contracts"] - row["closed"],
            "mean_fill_percentage": None if row["mean_fill"] is None else int(row["mean_fill"]),
        })
    return out
