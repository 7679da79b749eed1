"""The establishment's contacts, by address: reminders and extensions are emailed to every user holding a
habilitation on the contract or its EJ. Kept from the same auth.habilitation.* events as the access
projection (ecars_common.habilitations), whose handlers run first in the same transaction."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common import habilitations
from ecars_common.events import Envelope
from services.contracts.calendar_tables import contacts
from services.contracts.orm import contracts


def _upsert(session: Connection, envelope: Envelope) -> None:
    data = envelope.data
    if not data.get("email"):
        return
    values = {"scope_type": data["scope_type"], "scope_id": data["scope_id"], "email": data["email"].lower()}
    session.execute(insert(contacts).values(habilitation_id=data["habilitation_id"], **values)
                    .on_conflict_do_update(index_elements=["habilitation_id"], set_=values))


def _remove(session: Connection, envelope: Envelope) -> None:
    session.execute(contacts.delete().where(contacts.c.habilitation_id == envelope.data["habilitation_id"]))


OWN = {"auth.habilitation.granted": _upsert, "auth.habilitation.changed": _upsert,
       "auth.habilitation.revoked": _remove}


def event_handlers(schema: str) -> dict:
    """The access projection's handlers, each followed by the contacts' upkeep."""
    projection = habilitations.event_handlers(schema)

    def both(type: str):
        def handle(session: Connection, envelope: Envelope) -> None:
            projection[type](session, envelope)
            OWN[type](session, envelope)
        return handle

    return {type: both(type) for type in projection}


def emails_of(session: Connection, contract_ids: list[str]) -> dict[str, list[str]]:
    """contract id → the sorted addresses of its contacts (granted the contract or its EJ)."""
    rows = session.execute(
        sa.select(contracts.c.id, contacts.c.email).distinct()
        .join(contacts, sa.or_(
            sa.and_(contacts.c.scope_type == "ej", contacts.c.scope_id == contracts.c.ej_finess),
            sa.and_(contacts.c.scope_type == "contract", contacts.c.scope_id == sa.cast(contracts.c.id, sa.Text))))
        .where(contracts.c.id.in_(contract_ids)))
    out: dict[str, list[str]] = {contract_id: [] for contract_id in contract_ids}
    for contract_id, email in rows:
        out[contract_id].append(email)
    return {contract_id: sorted(emails) for contract_id, emails in out.items()}
