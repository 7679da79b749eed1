"""Outbox relay: publishes each service's unsent outbox rows to the topic exchange with publisher
confirms, in the transaction that marks them sent (committed once the broker has confirmed them). Rows
are claimed with FOR UPDATE SKIP LOCKED so several relays can run side by side; a broker outage only
delays publication (the rows stay unsent and are retried). Woken by NOTIFY at commit, with a slow poll
as a safety net."""

import asyncio
import logging

import aio_pika
import psycopg

from ecars_common.amqp import connect, declare_exchange, keep_connected, pg_dsn
from ecars_common.config import Settings
from ecars_common.db import connection_name
from ecars_common.outbox import notify_channel

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(self, settings: Settings, batch_size: int = 500, poll_seconds: float = 1.0,
                 gather_seconds: float = 0.015):
        """`gather_seconds`: after a batch of several events (commits are coming in faster than one batch takes),
        how long the relay collects further commits' notices before the next one, so that under load a batch (one
        UPDATE, one round of confirms, one commit) carries many events. After a batch of one, the next notice is
        published at once: a lone event never waits for company."""
        self.settings = settings
        self.schema = settings.schema
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.gather_seconds = gather_seconds
        self.published = 0

    async def run(self, stop: asyncio.Event) -> None:
        await keep_connected("outbox relay", self._run_connected, stop)

    async def _run_connected(self, stop: asyncio.Event) -> None:
        dsn = pg_dsn(self.settings.database_url)
        amqp = await connect(self.settings.amqp_url)
        try:
            channel = await amqp.channel(publisher_confirms=True)
            exchange = await declare_exchange(channel, self.settings.exchange)
            name = connection_name(self.schema, "relay")
            # The batches' commits need not wait for the disk: lost in a crash, rows are unsent again and published
            # once more, which delivery allows anyway (at least once; consumers drop a repeat by its event id).
            async with await psycopg.AsyncConnection.connect(dsn, autocommit=True, application_name=name) as listener, \
                    await psycopg.AsyncConnection.connect(dsn, application_name=name,
                                                          options="-c synchronous_commit=off") as conn:
                await listener.execute(f'LISTEN "{notify_channel(self.schema)}"')
                while not stop.is_set():
                    sent = await self.publish_batch(conn, exchange)
                    if sent == self.batch_size:
                        continue
                    if sent > 1:  # events are flowing: take every notice of the next few ms in one go
                        async for _ in listener.notifies(timeout=self.gather_seconds):
                            pass
                        continue
                    async for _ in listener.notifies(timeout=self.poll_seconds, stop_after=1):
                        pass
        finally:
            await amqp.close()

    async def publish_batch(self, conn: psycopg.AsyncConnection, exchange) -> int:
        table = f'"{self.schema}".outbox'
        try:
            async with conn.transaction():
                # Claimed (ARRAY(): its subquery runs once) and marked sent in one statement; the transaction
                # stays open until the broker has confirmed every message, and rolls back (the rows unsent) if
                # one is refused or lost.
                cursor = await conn.execute(
                    f"UPDATE {table} SET sent_at = now(), attempts = attempts + 1 WHERE seq = ANY(ARRAY("
                    f"SELECT seq FROM {table} WHERE sent_at IS NULL ORDER BY seq LIMIT %s FOR UPDATE SKIP LOCKED)) "
                    "RETURNING seq, event_id::text, type, envelope::text",
                    (self.batch_size,),
                )
                rows = sorted(await cursor.fetchall())  # RETURNING does not keep the subquery's order
                if not rows:
                    return 0
                await asyncio.gather(
                    *(
                        exchange.publish(
                            aio_pika.Message(
                                body.encode(),
                                content_type="application/json",
                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                                message_id=event_id,
                                type=type,
                            ),
                            routing_key=type,
                        )
                        for _, event_id, type, body in rows
                    )
                )
                self.confirmed([event_id for _, event_id, _, _ in rows])
        except Exception as exc:
            await self._note_failure(conn, exc)
            raise
        self.published += len(rows)
        return len(rows)

    def confirmed(self, event_ids: list[str]) -> None:
        """Called once the broker has confirmed every message of a batch, before its commit (a commit that then
        fails publishes them again); a subclass may record them (tests/support/cluster_worker.py counts them)."""

    async def _note_failure(self, conn: psycopg.AsyncConnection, exc: Exception) -> None:
        try:
            async with conn.transaction():
                await conn.execute(
                    f'UPDATE "{self.schema}".outbox SET attempts = attempts + 1, last_error = %s '
                    "WHERE seq = (SELECT min(seq) FROM "
                    f'"{self.schema}".outbox WHERE sent_at IS NULL)',
                    (str(exc)[:500],),
                )
        except Exception:  # the database may be the thing that failed
            log.debug("could not record the relay failure", exc_info=True)
