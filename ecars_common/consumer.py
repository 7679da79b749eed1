"""Event consumer: one durable queue per consuming service, bound to the routing keys it handles.

Each message is handled in one database transaction that first records the event id in the inbox,
so a redelivered event has no second effect; the message is acked only after that commit. A failing
handler is retried through a delay queue with exponential backoff, then parked in the service's
dead-letter queue (`<service>.events.dead`), from which the support team can replay it. The three are quorum
queues (ecars_common.queues: their arguments, the delivery limit, the prefetch, the migration of classic ones)."""

import asyncio
import logging
from collections.abc import Callable
from functools import partial

import aio_pika
from aio_pika.abc import AbstractIncomingMessage
from sqlalchemy import Connection

from ecars_common import outbox, queues
from ecars_common.amqp import connect, keep_connected
from ecars_common.config import Settings
from ecars_common.db import Database
from ecars_common.events import Envelope, InvalidEvent, parse
from ecars_common.logs import request_id_var

log = logging.getLogger(__name__)

Handler = Callable[[Connection, Envelope], None]


def queue_names(settings: Settings) -> dict[str, str]:
    main = f"{settings.queue_prefix}{settings.service}.events"
    return {"main": main, "retry": f"{main}.retry", "dead": f"{main}.dead"}


class Consumer:
    def __init__(self, settings: Settings, db: Database, handlers: dict[str, Handler],
                 prefetch: int = queues.PREFETCH):
        self.settings = settings
        self.db = db
        self.handlers = handlers
        self.prefetch = prefetch
        self.queues = queue_names(settings)
        self.handled = 0

    async def run(self, stop: asyncio.Event) -> None:
        await keep_connected("consumer", self._run_connected, stop)

    def specs(self) -> list[queues.Spec]:
        """The dead-letter queue first (its source dead-letters to it), the retry queue before the service queue (a
        retry, dead-lettered back at-least-once, waits while the service queue is being migrated)."""
        main, retry, dead = self.queues["main"], self.queues["retry"], self.queues["dead"]
        return [queues.dead_letter_spec(dead),
                queues.Spec(retry, queues.arguments(dead_letter_to=main)),
                queues.Spec(main, queues.arguments(dead_letter_to=dead), tuple(sorted(self.handlers)))]

    async def declare(self, connection) -> None:
        await queues.ensure(connection, self.settings.exchange, self.specs())

    async def _run_connected(self, stop: asyncio.Event) -> None:
        connection = await connect(self.settings.amqp_url)
        try:
            channel = await connection.channel(publisher_confirms=True)
            await channel.set_qos(prefetch_count=self.prefetch)
            await self.declare(connection)
            queue = await queues.passive(channel, self.queues["main"])
            closed = asyncio.Event()

            async def on_close(*_):
                closed.set()

            connection.close_callbacks.add(on_close)
            await queue.consume(partial(self.on_message, channel))
            waiters = [asyncio.create_task(stop.wait()), asyncio.create_task(closed.wait())]
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
            if closed.is_set() and not stop.is_set():
                raise ConnectionError("broker connection closed")
        finally:
            if not connection.is_closed:
                await connection.close()

    async def on_message(self, channel, message: AbstractIncomingMessage) -> None:
        try:
            envelope = parse(message.body)
        except InvalidEvent as exc:
            await self._park(channel, message, f"invalid event: {exc}", attempts=0)
            await message.ack()
            return
        handler = self.handlers.get(envelope.type)
        if handler is None:
            await message.ack()
            return
        try:
            await asyncio.to_thread(self.process, envelope, handler)
            self.handled += 1
        except Exception as exc:
            attempts = int((message.headers or {}).get("x-attempts", 0)) + 1
            if attempts >= self.settings.consumer_max_attempts:
                log.error("event %s failed %d times, dead-lettered: %s", envelope.id, attempts, exc,
                          extra={"event_type": envelope.type, "event_id": envelope.id})
                await self._park(channel, message, repr(exc), attempts)
            else:
                delay = self.settings.consumer_retry_delay * 2 ** (attempts - 1)
                log.warning("event %s failed (attempt %d), retry in %.1fs: %s", envelope.id, attempts, delay, exc,
                            extra={"event_type": envelope.type, "event_id": envelope.id})
                await self._republish(channel, message, self.queues["retry"], {"x-attempts": attempts},
                                      expiration=delay)
        await message.ack()

    def process(self, envelope: Envelope, handler: Handler) -> None:
        token = request_id_var.set(envelope.correlation_id or envelope.id)
        try:
            with self.db.session() as session:
                if not outbox.record_receipt(session, self.settings.schema, envelope):
                    log.info("event %s already handled, skipped", envelope.id,
                             extra={"event_type": envelope.type, "event_id": envelope.id})
                    return
                handler(session, envelope)
        finally:
            request_id_var.reset(token)

    async def _park(self, channel, message: AbstractIncomingMessage, error: str, attempts: int) -> None:
        headers = {"x-error": error[:1000], "x-attempts": attempts,
                   "x-original-routing-key": message.routing_key or ""}
        await self._republish(channel, message, self.queues["dead"], headers)

    @staticmethod
    async def _republish(channel, message, queue: str, headers: dict, expiration: float | None = None) -> None:
        await channel.default_exchange.publish(
            aio_pika.Message(
                message.body,
                content_type=message.content_type,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.message_id,
                type=message.type,
                headers={**(message.headers or {}), **headers},
                expiration=expiration,
            ),
            routing_key=queue,
        )


async def declare_topology(settings: Settings, routing_keys) -> None:
    """Declare the service's queues and bindings ahead of its worker (at migrate time), so that events
    published before the worker first starts wait in the queue instead of being dropped."""
    connection = await connect(settings.amqp_url)
    async with connection:
        await Consumer(settings, None, dict.fromkeys(routing_keys)).declare(connection)


async def replay_dead_letters(settings: Settings, limit: int = 100) -> int:
    """Move up to `limit` parked messages back to the service's queue; returns how many moved."""
    names = queue_names(settings)
    connection = await connect(settings.amqp_url)
    moved = 0
    async with connection:
        channel, dead = await queues.existing(connection, names["dead"])
        while dead is not None and moved < limit:
            message = await dead.get(fail=False)
            if message is None:
                break
            await Consumer._republish(channel, message, names["main"], {"x-attempts": 0})
            await message.ack()
            moved += 1
    return moved
