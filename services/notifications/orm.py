"""Tables of the notifications service, all in its own schema "notifications"."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from ecars_common.db import service_metadata
from ecars_common.outbox import define_tables

metadata = service_metadata("notifications")
outbox, inbox = define_tables(metadata)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", UUID(as_uuid=False), nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
    sa.Column("last_error", sa.Text),
    sa.Column("sent_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
)
