"""« À suivre » (issue 18, docs/data-entry.md): the ARS of the campaign flags an indicator's values of a contract for
follow-up, with a note; one flag per contract × indicator, whatever the contract's status. The flag is the ARS's
own: the establishment does not see it. Each change is in the indicator's history (audit field "flag"); the
campaign's page lists the flags (campaign_flags) and its exports carry the note (exports.flags_of)."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common import roles
from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts import access, campaign_indicators
from services.contracts.audit import record
from services.contracts.campaigns import load_campaign
from services.contracts.entry_access import find_indicator
from services.contracts.orm import contracts, indicator_flags

NOTE_MAX = 1000
AUTHORITY_ONLY = ApiError(403, "forbidden", "Seuls les agents de l'ARS marquent une valeur « À suivre ».")
FLAG_OF = sa.select(indicator_flags).where(indicator_flags.c.contract_id == sa.bindparam("contract_id"),
                                          indicator_flags.c.indicator_code == sa.bindparam("code"))


def as_json(row) -> dict:
    return {"indicator_code": row["indicator_code"], "note": row["note"], "flagged_by": row["flagged_by_email"],
            "flagged_at": row["flagged_at"].isoformat()}


def flag_of(session: Connection, contract_id: str, code: str) -> dict | None:
    row = session.execute(FLAG_OF, {"contract_id": contract_id, "code": code}).mappings().first()
    return as_json(row) if row is not None else None


def authority_indicator(session: Connection, identity: Identity, contract_id: str, code: str):
    """The contract and its indicator, for the ARS of its campaign's region only (403 for another role, 404 out of
    reach, as access.load answers)."""
    if identity.role not in roles.CAMPAIGN_AUTHORITIES:
        raise AUTHORITY_ONLY
    contract = access.load(session, identity, contract_id)
    return contract, find_indicator(session, contract, code)


def flag(session: Connection, identity: Identity, contract_id: str, code: str, note: str) -> dict:
    authority_indicator(session, identity, contract_id, code)
    old = flag_of(session, contract_id, code)
    values = {"note": note, "flagged_by": identity.user_id, "flagged_by_email": identity.email,
              "flagged_at": sa.func.now()}
    row = session.execute(insert(indicator_flags).values(contract_id=contract_id, indicator_code=code, **values)
                          .on_conflict_do_update(index_elements=["contract_id", "indicator_code"], set_=values)
                          .returning(indicator_flags)).mappings().one()
    record(session, identity, contract_id, "flag", old["note"] if old else None, note, indicator_code=code)
    return as_json(row)


def unflag(session: Connection, identity: Identity, contract_id: str, code: str) -> None:
    """« Ne plus suivre »: the flag is removed (nothing to do if there was none)."""
    authority_indicator(session, identity, contract_id, code)
    gone = session.execute(indicator_flags.delete().where(indicator_flags.c.contract_id == contract_id,
                                                          indicator_flags.c.indicator_code == code)
                           .returning(indicator_flags.c.note)).first()
    if gone is not None:
        record(session, identity, contract_id, "flag", gone.note, None, indicator_code=code)


def campaign_flags(session: Connection, identity: Identity, campaign_id: str) -> dict:
    """The campaign's values « À suivre », latest first, with their contract and indicator (ARS of the region)."""
    load_campaign(session, identity, campaign_id)
    labels = {i.code: i.label for i in campaign_indicators.indicators_of(session, campaign_id)}
    rows = session.execute(
        sa.select(indicator_flags, contracts.c.name, contracts.c.ej_finess, contracts.c.ej_raison_sociale)
        .join(contracts, contracts.c.id == indicator_flags.c.contract_id)
        .where(contracts.c.campaign_id == campaign_id)
        .order_by(indicator_flags.c.flagged_at.desc(), contracts.c.ej_finess)).mappings()
    return {"items": [{**as_json(row), "contract_id": row["contract_id"], "contract_name": row["name"],
                       "ej_finess": row["ej_finess"], "ej_raison_sociale": row["ej_raison_sociale"],
                       "indicator_label": labels.get(row["indicator_code"], row["indicator_code"])} for row in rows]}
