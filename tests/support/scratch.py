"""A throw-away 'service' for fault tests: its own schema (outbox, inbox, an effects table counting
what handlers did), its own exchange and queues."""

import asyncio
import time

import sqlalchemy as sa

from ecars_common.amqp import connect
from ecars_common.config import Settings
from ecars_common.consumer import queue_names
from ecars_common.db import Database, service_metadata
from ecars_common.events import new_envelope
from ecars_common.outbox import add, define_tables
from tests.conftest import unique

EVENT = "auth.verification_code.requested"
DATA = {"user_id": "u", "email": "faute@e-cars.test", "nom": "N", "prenom": "P", "code": "123456",
        "expires_at": "2030-01-01T00:00:00+00:00"}


class Scratch:
    def __init__(self, database_url: str, **settings):
        self.name = unique("fault").replace("-", "_")
        self.db = Database(database_url, self.name)
        metadata = service_metadata(self.name)
        define_tables(metadata)
        self.effects = sa.Table("effects", metadata, sa.Column("event_id", sa.Text, nullable=False),
                                sa.Column("worker", sa.Text))
        with self.db.engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
            metadata.create_all(conn)
        self.settings = Settings(service=self.name, database_url=database_url, exchange=f"ecars.events.{self.name}",
                                 **settings)

    def effect_counts(self) -> tuple[int, int]:
        """(effects, distinct events with an effect)."""
        with self.db.engine.connect() as conn:
            row = conn.execute(sa.text(
                f'SELECT count(*), count(DISTINCT event_id) FROM "{self.name}".effects')).one()
        return row[0], row[1]

    def drop(self) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.db.dispose()
        asyncio.run(self._delete_topology())

    async def _delete_topology(self) -> None:
        connection = await connect(self.settings.amqp_url)
        async with connection:
            channel = await connection.channel()
            for queue in queue_names(self.settings).values():
                await channel.queue_delete(queue)
            await channel.exchange_delete(self.settings.exchange)


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what}: not reached in {timeout:.0f}s")


def produce(scratch: Scratch, count: int, per_transaction: int = 10, pause: float = 0.01) -> list[str]:
    """Commit `count` events to the scratch outbox, `per_transaction` at a time; returns their ids."""
    ids = []
    for start in range(0, count, per_transaction):
        with scratch.db.session() as session:
            for _ in range(min(per_transaction, count - start)):
                envelope = new_envelope(EVENT, DATA, source=scratch.name)
                add(session, scratch.name, envelope)
                ids.append(envelope.id)
        time.sleep(pause)
    return ids
