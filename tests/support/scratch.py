"""A throw-away 'service' for fault tests: its own schema (outbox, inbox, an effects table counting
what handlers did), its own exchange and queues."""

import asyncio

import aio_pika
import sqlalchemy as sa

from ecars_common.config import Settings
from ecars_common.consumer import queue_names
from ecars_common.db import Database, service_metadata
from ecars_common.outbox import define_tables
from tests.conftest import unique


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
        connection = await aio_pika.connect(self.settings.amqp_url)
        async with connection:
            channel = await connection.channel()
            for queue in queue_names(self.settings).values():
                await channel.queue_delete(queue)
            await channel.exchange_delete(self.settings.exchange)
