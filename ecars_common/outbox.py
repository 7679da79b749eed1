"""Transactional outbox and inbox tables, present in every service's schema.

A change and the event that announces it are written in one transaction (`add`, or `event_statement` for
both in one statement); the relay
(`ecars_common.relay`) publishes unsent rows later. PostgreSQL's NOTIFY, sent at commit, wakes the
relay at once instead of making it poll."""

from functools import cache

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import JSONB, UUID

from ecars_common.events import Envelope, new_envelope
from ecars_common.logs import request_id_var


def notify_channel(schema: str) -> str:
    return f"{schema}_outbox"


def outbox_columns() -> list:
    return [
        sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False, unique=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("envelope", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
    ]


def inbox_columns() -> list:
    return [
        sa.Column("event_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def define_tables(metadata: sa.MetaData) -> tuple[sa.Table, sa.Table]:
    outbox = sa.Table("outbox", metadata, *outbox_columns())
    sa.Index("outbox_unsent", outbox.c.seq, postgresql_where=outbox.c.sent_at.is_(None))
    inbox = sa.Table("inbox", metadata, *inbox_columns())
    return outbox, inbox


def create_tables(op, schema: str) -> None:
    """For a service's first Alembic migration."""
    op.create_table("outbox", *outbox_columns(), schema=schema)
    op.create_index(
        "outbox_unsent", "outbox", ["seq"], schema=schema, postgresql_where=sa.text("sent_at IS NULL")
    )
    op.create_table("inbox", *inbox_columns(), schema=schema)


def returned_a_row(cte: sa.CTE) -> sa.Exists:
    """The condition « the data-modifying CTE `cte` returned a row » (its change was made), for sibling CTEs."""
    return sa.exists(sa.select(sa.literal(1)).select_from(cte))


def event_statement(schema: str, *writes: sa.CTE, when: sa.CTE | None = None) -> sa.Select:
    """The outbox row of an event and its NOTIFY in one statement, its values from event_values(); `writes`: other
    data-modifying CTEs (the change itself) run by the same statement, so that a change and its event take one
    round trip; `when`: a CTE among them, the event written only if it returned a row (the statement then returns
    one row, else none). Build it once (module constant or @cache): building a statement costs more than running it."""
    table = sa.table("outbox", sa.column("seq"), sa.column("event_id"), sa.column("type"), sa.column("envelope"),
                     schema=schema)
    values = sa.select(sa.bindparam("event_id", type_=UUID(as_uuid=False)), sa.bindparam("event_type", type_=sa.Text),
                       sa.cast(sa.bindparam("envelope", type_=sa.Text), JSONB))
    if when is not None:
        values = values.where(returned_a_row(when))
    added = table.insert().from_select(["event_id", "type", "envelope"], values).returning(table.c.seq).cte("added")
    statement = sa.select(sa.func.pg_notify(sa.bindparam("channel", type_=sa.Text), sa.literal("", sa.Text)))
    for write in writes:
        statement = statement.add_cte(write)
    return statement.select_from(added)


def event_values(schema: str, envelope: Envelope) -> dict:
    return {"event_id": envelope.id, "event_type": envelope.type, "envelope": envelope.to_json().decode(),
            "channel": notify_channel(schema)}


@cache
def _add_statement(schema: str) -> sa.Select:
    return event_statement(schema)


def add(session: Connection, schema: str, envelope: Envelope) -> None:
    """Write `envelope` to the outbox in the session's transaction (checked against the catalogue
    when the envelope was built). The row and the NOTIFY go in one statement: one round trip, not two."""
    session.execute(_add_statement(schema), event_values(schema, envelope))


def record_receipt(session: Connection, schema: str, envelope: Envelope) -> bool:
    """Note in the inbox that `envelope` is being handled; False if it already was (a redelivery)."""
    result = session.execute(
        sa.text(
            f'INSERT INTO "{schema}".inbox (event_id, type) VALUES (:id, :type) ON CONFLICT DO NOTHING'
        ),
        {"id": envelope.id, "type": envelope.type},
    )
    return result.rowcount == 1


def publish(session: Connection, type: str, data: dict, *, service: str, version: int = 1) -> None:
    """Announce a change made in `session`'s transaction: the event `type` from `service` (its schema holds the
    outbox), correlated with the request being served. The one way a service publishes. `version`: of the event's
    schema (events/<type>.v<version>.json)."""
    add(session, service, new_envelope(type, data, source=service, correlation_id=request_id_var.get(),
                                       version=version))
