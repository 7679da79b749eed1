"""The ARS's dashboard of a campaign (docs/campaigns.md « Tableau de bord »): the fill-rate distribution, the counts
by status and by département, and the contracts closing soon with a low fill rate. Each figure is one aggregate over
the fill percentage and département the contracts keep (migration 0004), whatever the number of contracts."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.numbers import whole_number
from ecars_common.tokens import Identity
from services.contracts import domain, progress
from services.contracts.calendar_rows import effective_closing
from services.contracts.campaigns import load_campaign
from services.contracts.orm import campaigns, contracts

BUCKETS = [(low, low + 9) for low in range(0, 100, 10)] + [(100, 100)]  # 0–9 % … 90–99 %, then 100 %
CLOSING_SOON_LISTED = 50
DEFAULTS = {"within_days": 14, "fill_below": 50}
LIMITS = {"within_days": (1, 366), "fill_below": (1, 100)}


def thresholds(args) -> dict:
    """?within_days=&fill_below=: « closing soon » is within that many days, « low » below that fill rate."""
    out, errors = {}, {}
    for name, default in DEFAULTS.items():
        raw = args.get(name, "").strip()
        low, high = LIMITS[name]
        if not raw:
            out[name] = default
        elif (number := whole_number(raw, low, high)) is not None:
            out[name] = number
        else:
            errors[name] = f"un entier entre {low} et {high} est attendu"
    if errors:
        raise ApiError(422, "validation_failed", "Certains seuils du tableau de bord ne sont pas valides.", errors)
    return out


def distribution(session: Connection, campaign_id: str) -> list[dict]:
    bucket = sa.func.least(contracts.c.fill_percentage // 10, 10).label("bucket")
    counts = dict(session.execute(sa.select(bucket, sa.func.count()).where(contracts.c.campaign_id == campaign_id)
                                  .group_by(bucket)).all())
    return [{"from": low, "to": high, "count": counts.get(n, 0)} for n, (low, high) in enumerate(BUCKETS)]


def by_departement(session: Connection, campaign_id: str) -> list[dict]:
    closed = contracts.c.status == domain.CONSULTATION
    rows = session.execute(
        sa.select(contracts.c.ej_departement, sa.func.count().label("contracts"),
                  sa.func.count().filter(contracts.c.status == domain.AUTO_EVALUATION).label("auto_evaluation"),
                  sa.func.count().filter(closed).label("consultation"),
                  sa.func.count().filter(closed, contracts.c.review == progress.ACCEPTE).label("accepte"),
                  sa.func.round(sa.func.avg(contracts.c.fill_percentage)).label("average_fill"))
        .where(contracts.c.campaign_id == campaign_id).group_by(contracts.c.ej_departement)
        .order_by(contracts.c.ej_departement)).mappings()
    return [{**row, "average_fill": int(row["average_fill"])} for row in rows]


def closing_soon(session: Connection, campaign_id: str, today: date, within_days: int, fill_below: int) -> dict:
    closes_on = effective_closing()
    where = [contracts.c.campaign_id == campaign_id, contracts.c.status == domain.AUTO_EVALUATION,
             closes_on >= today, closes_on <= today + timedelta(days=within_days),
             contracts.c.fill_percentage < fill_below]
    base = sa.select(contracts.c.id).join(campaigns, campaigns.c.id == contracts.c.campaign_id).where(*where)
    total = session.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(
        sa.select(contracts.c.id, contracts.c.name, contracts.c.ej_finess, contracts.c.ej_raison_sociale,
                  contracts.c.ej_departement, contracts.c.fill_percentage, closes_on.label("closes_on"))
        .join(campaigns, campaigns.c.id == contracts.c.campaign_id).where(*where)
        .order_by(closes_on, contracts.c.fill_percentage, contracts.c.id).limit(CLOSING_SOON_LISTED)).mappings()
    return {"total": total, "items": [{**row, "closes_on": row["closes_on"].isoformat(),
                                       "days_left": (row["closes_on"] - today).days} for row in rows]}


def figures(session: Connection, identity: Identity, campaign_id: str, today: date, wanted: dict) -> dict:
    campaign = load_campaign(session, identity, campaign_id)
    totals = session.execute(progress.totals_query([contracts.c.campaign_id == campaign_id])).mappings().one()
    return {"campaign": {"id": campaign["id"], "name": campaign["name"], "evaluated_year": campaign["evaluated_year"],
                         "closes_on": campaign["closes_on"].isoformat() if campaign["closes_on"] else None},
            "thresholds": wanted,
            "contracts": totals["total"], "average_fill": int(totals["average_fill"]), "complete": totals["complete"],
            "by_status": {domain.AUTO_EVALUATION: totals["auto_evaluation"],
                          domain.CONSULTATION: totals["consultation"], progress.ACCEPTE: totals["accepte"]},
            "fill_distribution": distribution(session, campaign_id),
            "by_departement": by_departement(session, campaign_id),
            "closing_soon": closing_soon(session, campaign_id, today, wanted["within_days"], wanted["fill_below"])}
