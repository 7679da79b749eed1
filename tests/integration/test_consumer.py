"""The consumer against the real broker and database: a redelivered event has one effect; a failing
handler is retried with backoff, then parked in the dead-letter queue, from where it can be replayed."""

import asyncio
import json
import threading
import time

import aio_pika
import pytest
import sqlalchemy as sa

from ecars_common.config import Settings
from ecars_common.consumer import Consumer, queue_names, replay_dead_letters
from ecars_common.db import Database, service_metadata
from ecars_common.events import new_envelope
from ecars_common.outbox import define_tables
from tests.conftest import unique
from tests.integration.test_outbox_relay import EVENT, sample_data


@pytest.fixture
def scratch(stack):
    """A consuming 'service' of its own: schema with inbox and an effects table, private exchange."""
    name = unique("cons").replace("-", "_")
    db = Database(stack.database_url, name)
    metadata = service_metadata(name)
    define_tables(metadata)
    effects = sa.Table("effects", metadata, sa.Column("event_id", sa.Text), sa.Column("n", sa.Integer))
    with db.engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        metadata.create_all(conn)
    settings = Settings(service=name, database_url=stack.database_url, exchange=f"ecars.events.{name}",
                        consumer_max_attempts=3, consumer_retry_delay=0.1)
    yield settings, db, effects
    with db.engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    db.dispose()
    asyncio.run(_delete(settings))


async def _delete(settings: Settings):
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in queue_names(settings).values():
            await channel.queue_delete(queue)
        await channel.exchange_delete(settings.exchange)


class RunningConsumer:
    def __init__(self, consumer: Consumer):
        self.consumer = consumer
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.stop = asyncio.Event()
        self.ready.set()
        self.loop.run_until_complete(self.consumer.run(self.stop))

    def __enter__(self):
        self.thread.start()
        self.ready.wait()
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=10)


async def publish(settings: Settings, bodies: list[bytes], routing_key: str = EVENT) -> None:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(settings.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for body in bodies:
            await exchange.publish(aio_pika.Message(body), routing_key=routing_key)


async def queue_depth(settings: Settings, which: str) -> int:
    connection = await aio_pika.connect(settings.amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(queue_names(settings)[which], passive=True)
        return queue.declaration_result.message_count


def consuming(settings: Settings) -> bool:
    """The worker consumes its queue: declared and bound (the worker binds after declaring, and only then consumes).
    Waiting for the queue alone let an event be published between the declaration and the bindings, routed
    nowhere, and lost (a test waiting 30 s for its first attempt)."""
    async def consumers() -> int:
        connection = await aio_pika.connect(settings.amqp_url)
        async with connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(queue_names(settings)["main"], passive=True)
            return queue.declaration_result.consumer_count

    try:
        return asyncio.run(consumers()) > 0
    except aio_pika.exceptions.ChannelClosed:  # not declared yet
        return False


def wait_until(condition, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def count_effects(db: Database, effects: sa.Table) -> list:
    with db.engine.connect() as conn:
        return [row.event_id for row in conn.execute(sa.select(effects.c.event_id))]


def test_a_redelivered_event_has_a_single_effect(scratch):
    settings, db, effects = scratch

    def handler(session, envelope):
        session.execute(effects.insert().values(event_id=envelope.id, n=1))

    consumer = Consumer(settings, db, {EVENT: handler})
    envelope = new_envelope(EVENT, sample_data(), source="test")
    with RunningConsumer(consumer):
        wait_until(lambda: consuming(settings))
        asyncio.run(publish(settings, [envelope.to_json()] * 3))  # injected: the same event three times
        wait_until(lambda: consumer.handled == 3)
    assert count_effects(db, effects) == [envelope.id]


def test_a_failing_handler_is_retried_then_parked_and_can_be_replayed(scratch):
    settings, db, effects = scratch
    calls = []
    healthy = threading.Event()

    def handler(session, envelope):
        calls.append(time.monotonic())
        if not healthy.is_set():
            raise ConnectionError("SMTP unreachable")  # injected failure
        session.execute(effects.insert().values(event_id=envelope.id, n=1))

    consumer = Consumer(settings, db, {EVENT: handler})
    envelope = new_envelope(EVENT, sample_data(), source="test")
    with RunningConsumer(consumer):
        wait_until(lambda: consuming(settings))
        asyncio.run(publish(settings, [envelope.to_json()]))
        wait_until(lambda: asyncio.run(queue_depth(settings, "dead")) == 1)
        assert len(calls) == settings.consumer_max_attempts
        assert calls[2] - calls[1] > calls[1] - calls[0] >= 0.1  # the delay doubles at each attempt
        assert count_effects(db, effects) == []

        healthy.set()
        assert asyncio.run(replay_dead_letters(settings)) == 1
        wait_until(lambda: count_effects(db, effects) == [envelope.id])
    assert asyncio.run(queue_depth(settings, "dead")) == 0


def test_an_event_that_breaks_its_schema_goes_straight_to_the_dead_letters(scratch):
    settings, db, effects = scratch
    consumer = Consumer(settings, db, {EVENT: lambda session, envelope: None})
    bad = new_envelope(EVENT, sample_data(), source="test").as_dict()
    bad["data"]["code"] = "not digits"
    with RunningConsumer(consumer):
        wait_until(lambda: consuming(settings))
        asyncio.run(publish(settings, [json.dumps(bad).encode(), b"not json at all"]))
        wait_until(lambda: asyncio.run(queue_depth(settings, "dead")) == 2)
    assert consumer.handled == 0


