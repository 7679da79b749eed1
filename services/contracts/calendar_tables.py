"""Tables of the campaign calendar (migration 0005): the closing date's locks, the reminders sent, and the
contacts' addresses (from the habilitation events) the reminders go to."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from ecars_common import projection
from services.contracts.orm import contracts, metadata

# One row per contract locked by its closing date: a contract reopened after it is not locked again for the
# same date (only for a later one, once extended).
deadline_locks = sa.Table(
    "deadline_locks", metadata,
    sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(contracts.c.id), primary_key=True),
    sa.Column("closes_on", sa.Date, primary_key=True),
    sa.Column("locked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# A reminder is written with its outbox event in one transaction; unique partial indexes make it once per
# (contract, closing date, offset) for automatic ones and once a day per contract for manual ones.
reminders = sa.Table(
    "reminders", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(contracts.c.id), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),  # automatic | manual
    sa.Column("closes_on", sa.Date),
    sa.Column("offset_days", sa.Integer),
    sa.Column("sent_on", sa.Date, nullable=False),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False),
    sa.Column("recipients", sa.Integer, nullable=False),
    sa.Column("by_email", sa.Text),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("reminders_automatic_once", "contract_id", "closes_on", "offset_days", unique=True,
             postgresql_where=sa.text("kind = 'automatic'")),
    sa.Index("reminders_manual_daily", "contract_id", "sent_on", unique=True,
             postgresql_where=sa.text("kind = 'manual'")),
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("habilitation_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("scope_type", sa.Text, nullable=False),
    sa.Column("scope_id", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    *projection.columns(),  # ordering-proof like the habilitations (migration 0006)
    sa.Index("contacts_scope", "scope_type", "scope_id"),
)
