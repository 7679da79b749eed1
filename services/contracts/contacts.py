"""The establishment's contacts, by address: reminders and extensions are emailed to every user holding a
habilitation on the contract or its EJ. Kept from the same auth.habilitation.* events as the access
projection (ecars_common.habilitations), whose handlers run first in the same transaction, and by the same rule
(ecars_common.projection): auth's version of the habilitation, a tombstone for a revoked one."""

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import habilitations, projection, reconcile
from ecars_common.events import Envelope
from services.contracts.calendar_tables import contacts
from services.contracts.orm import contracts


def store(session: Connection, data: dict, version: int, removed: bool = False, force: bool = False) -> bool:
    """A habilitation's contact address as auth states it, kept if newer (a v1 event may lack the address: then
    only a removal is kept, as a tombstone without one)."""
    if not data.get("email") and not removed:
        return False
    values = {"scope_type": data["scope_type"], "scope_id": data["scope_id"], "email": data.get("email", "").lower()}
    return projection.apply(session, contacts, {"habilitation_id": data["habilitation_id"]}, values, version, removed,
                            force)


RECONCILED = reconcile.Projection("contacts", contacts, ("scope_type", "scope_id", "email"), store)


def _upsert(session: Connection, envelope: Envelope) -> None:
    store(session, envelope.data, projection.version_of(envelope))


def _remove(session: Connection, envelope: Envelope) -> None:
    store(session, envelope.data, projection.version_of(envelope), removed=True)


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
        .where(contracts.c.id.in_(contract_ids), projection.live(contacts)))
    out: dict[str, list[str]] = {contract_id: [] for contract_id in contract_ids}
    for contract_id, email in rows:
        out[contract_id].append(email)
    return {contract_id: sorted(emails) for contract_id, emails in out.items()}
