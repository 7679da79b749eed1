"""The ARS grants one EJ an extension: its contract's own closing date, later than the one in effect, with a
reason; audited and emailed to the contract's contacts (contracts.deadline.extended). A contract the
closing date had locked is reopened by it; one the establishment closed itself is not (reopen it instead)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.roles import CAMPAIGN_AUTHORITIES
from ecars_common.tokens import Identity
from services.contracts import contacts, deadlines, domain
from services.contracts.audit import change_status, publish, record
from services.contracts.calendar_rows import with_campaign
from services.contracts.campaigns import load_campaign
from services.contracts.orm import campaigns, contracts, receipts

AUTHORITY_ONLY = ApiError(403, "forbidden", "Réservé aux agents de l'ARS.")
REOPENED_BY_EXTENSION = "Saisie rouverte par la prolongation du délai : "


def load_for_authority(session: Connection, identity: Identity, contract_id: str):
    """The contract (a row of calendar_rows) locked for the change, if the caller is its campaign's ARS; 404
    for a contract out of their reach, as access.load answers."""
    if identity.role not in CAMPAIGN_AUTHORITIES:
        raise AUTHORITY_ONLY
    row = session.execute(with_campaign().where(contracts.c.id == contract_id)
                          .with_for_update(of=contracts)).mappings().first()
    if row is None or (identity.role != "admin" and row["region"] != identity.region):
        raise ApiError(404, "not_found", "Contrat introuvable.")
    return row


def closed_by_establishment(session: Connection, contract_id: str) -> bool:
    """The latest receipt was made by a user (« Clore la saisie »), not by the closing date (no user)."""
    closed_by = session.execute(sa.select(receipts.c.closed_by).where(receipts.c.contract_id == contract_id)
                                .order_by(receipts.c.id.desc()).limit(1)).first()
    return closed_by is not None and closed_by[0] is not None


def extend(session: Connection, identity: Identity, contract, new_date: date, reason: str, today: date) -> dict:
    """`contract`: from load_for_authority(). Raises ApiError (the bulk action reports it as a refusal)."""
    current = contract["closes_on"]
    if new_date < today:
        raise ApiError(422, "validation_failed", "La nouvelle date de clôture est déjà passée.",
                       {"closes_on": "date à venir attendue"})
    if current is not None and new_date <= current:
        raise ApiError(409, "not_later", "La nouvelle date doit suivre la date de clôture actuelle "
                                         f"({deadlines.french_date(current)}).")
    reopened = False
    if contract["status"] == domain.CONSULTATION:
        if closed_by_establishment(session, contract["id"]):
            raise ApiError(409, "closed_by_establishment", "L'établissement a clos sa saisie : rouvrez-la avec un "
                                                           "motif plutôt que de prolonger le délai.")
        reopened = True
        change_status(session, identity, contract["id"], domain.CONSULTATION, domain.AUTO_EVALUATION,
                      REOPENED_BY_EXTENSION + reason)
    session.execute(contracts.update().where(contracts.c.id == contract["id"]).values(closes_on=new_date))
    record(session, identity, contract["id"], "closes_on", current.isoformat() if current else None,
           new_date.isoformat(), reason)
    publish(session, "contracts.deadline.extended", {
        "contract_id": contract["id"], "contract_name": contract["name"], "ej_finess": contract["ej_finess"],
        "ej_raison_sociale": contract["ej_raison_sociale"], "campaign": contract["campaign_name"],
        "previous_closes_on": current.isoformat() if current else None, "closes_on": new_date.isoformat(),
        "closes_on_label": deadlines.french_date(new_date), "reason": reason, "reopened": reopened,
        "extended_by_email": identity.email,
        "recipients": contacts.emails_of(session, [contract["id"]])[contract["id"]]})
    return {"closes_on": new_date.isoformat(), "previous_closes_on": current.isoformat() if current else None,
            "reopened": reopened, "status": domain.AUTO_EVALUATION if reopened else contract["status"]}


def set_campaign_calendar(session: Connection, identity: Identity, campaign_id: str, opens_on: date | None,
                          closes_on: date | None) -> dict:
    load_campaign(session, identity, campaign_id)
    session.execute(campaigns.update().where(campaigns.c.id == campaign_id).values(opens_on=opens_on,
                                                                                   closes_on=closes_on))
    return {"id": campaign_id, "opens_on": opens_on.isoformat() if opens_on else None,
            "closes_on": closes_on.isoformat() if closes_on else None}
