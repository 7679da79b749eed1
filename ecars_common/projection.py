"""The one rule every projection kept from events follows, so that it ends in its producer's state whatever the
order, the duplicates and the redeliveries of the events (docs/events.md, « Projections »).

- The producer numbers the changes of each aggregate (a habilitation…): `data.version`, 1 at creation, +1 at each
  change, the removal included, taken under the row's lock so two changes never share a number.
- The projection keeps, per aggregate, the version it holds (`version`) and applies an event only if it is newer.
- A removal leaves a tombstone (`removed`), which is final: the producer never reuses a removed aggregate's key
  (auth gives a habilitation granted again a new id), so nothing applies over a tombstone, whatever its version.
- Events of an earlier schema without `data.version` (in flight during a rolling upgrade) count as version 0:
  a removal is still final; an upsert applies only where the projection holds nothing newer than version 0.

The conditional upsert is one `INSERT … ON CONFLICT DO UPDATE … WHERE`: two events of one aggregate handled at
once (the consumer handles `prefetch` messages concurrently) are serialised by the row's unique index, and the
second is compared with what the first committed."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.events import Envelope

UNVERSIONED = 0


def columns() -> list:
    """The two columns every projection table has besides its own."""
    return [sa.Column("version", sa.BigInteger, nullable=False, server_default=str(UNVERSIONED)),
            sa.Column("removed", sa.Boolean, nullable=False, server_default=sa.false())]


def add_columns(op, table: str, schema: str) -> None:
    """For the Alembic migration that makes an existing projection ordering-proof: its rows, kept from events
    without a version, hold version 0."""
    for column in columns():
        op.add_column(table, column, schema=schema)


def version_of(envelope: Envelope) -> int:
    """The aggregate's version an event carries, 0 for an event of an unversioned schema."""
    version = envelope.data.get("version")
    return version if isinstance(version, int) and version > 0 else UNVERSIONED


def live(table: sa.Table) -> sa.ColumnElement:
    """The condition every read of a projection adds: not a tombstone."""
    return table.c.removed.is_(False)


def apply(session: Connection, table: sa.Table, key: dict, values: dict, version: int,
          removed: bool = False, force: bool = False) -> bool:
    """Store `values` for the aggregate `key` at `version` if that is newer than what the projection holds (a
    removal: always, as a final tombstone). Returns whether the projection changed. `force`: a reconciliation's
    repair with the producer's own state (ecars_common/reconcile.py), which also overrides the same version or a
    tombstone — never a newer version, handled from an event meanwhile."""
    statement = insert(table).values(**key, **values, version=version, removed=removed)
    incoming = statement.excluded
    if force:
        set_ = {**values, "removed": incoming.removed, "version": incoming.version}
        where = table.c.version <= incoming.version
    elif removed:
        set_ = {**values, "removed": True, "version": sa.func.greatest(table.c.version, incoming.version)}
        where = table.c.removed.is_(False)
    else:
        set_ = {**values, "version": incoming.version}
        where = live(table) & ((table.c.version < incoming.version)
                               | ((incoming.version == UNVERSIONED) & (table.c.version == UNVERSIONED)))
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=set_, where=where)
    return session.execute(statement.returning(sa.literal(1))).first() is not None


