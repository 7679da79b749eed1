"""Housekeeping of every service's outbox and inbox, run by its worker (a periodic job, ecars_common.schedule):
outbox rows sent and inbox rows received more than `ECARS_EVENTS_RETENTION_DAYS` (30) days ago are deleted, in
batches of BATCH rows per table and run, every `ECARS_HOUSEKEEPING_INTERVAL_SECONDS` (60 s).

The retention outlasts any redelivery: a failing event is retried for 31 s at most (5 attempts), a message held
by a dead worker is redelivered within seconds, a relay crash republishes at once. Only a message parked in a
dead-letter queue for longer than the retention and then replayed would pass the inbox a second time — which
the projections (ordering-proof, docs/events.md) and notifications (one delivery per event and recipient) also
absorb. A sent outbox row is no longer read by anything but the dashboard's « sent last hour »."""

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.config import Settings
from ecars_common.schedule import PeriodicJob

BATCH = 5000


def create_indexes(op, schema: str) -> None:
    """For each service's Alembic migration: the purge reads the oldest rows by these, not by a table scan."""
    op.create_index("outbox_sent_at", "outbox", ["sent_at"], schema=schema,
                    postgresql_where=sa.text("sent_at IS NOT NULL"))
    op.create_index("inbox_received_at", "inbox", ["received_at"], schema=schema)


def drop_indexes(op, schema: str) -> None:
    op.drop_index("inbox_received_at", "inbox", schema=schema)
    op.drop_index("outbox_sent_at", "outbox", schema=schema)


def purge(session: Connection, schema: str, retention_days: float, batch: int = BATCH) -> dict:
    """Delete up to `batch` outbox rows sent and inbox rows received before the retention; what it deleted."""
    values = {"days": retention_days, "batch": batch}
    outbox = session.execute(sa.text(
        f'DELETE FROM "{schema}".outbox WHERE seq IN (SELECT seq FROM "{schema}".outbox '
        f"WHERE sent_at < now() - make_interval(secs => :days * 86400) ORDER BY sent_at LIMIT :batch)"),
        values).rowcount
    inbox = session.execute(sa.text(
        f'DELETE FROM "{schema}".inbox WHERE event_id IN (SELECT event_id FROM "{schema}".inbox '
        f"WHERE received_at < now() - make_interval(secs => :days * 86400) ORDER BY received_at LIMIT :batch)"),
        values).rowcount
    return {"outbox_purged": outbox, "inbox_purged": inbox} if outbox or inbox else {}


def job(settings: Settings) -> PeriodicJob:
    return PeriodicJob(f"{settings.schema}.housekeeping", settings.housekeeping_interval_seconds,
                       lambda session: purge(session, settings.schema, settings.events_retention_days))
