"""The outbox relay against the real PostgreSQL and RabbitMQ: an event committed with its change is
published once the broker is reachable, and one written during a broker outage is delivered later."""

import asyncio
import json
import threading
import time

import aio_pika
import pytest
import sqlalchemy as sa

from ecars_common.config import Settings
from ecars_common.db import Database, service_metadata
from ecars_common.events import new_envelope
from ecars_common.outbox import add, define_tables
from ecars_common.relay import OutboxRelay
from tests.conftest import unique
from tests.support.tcp_proxy import TcpProxy

EVENT = "auth.verification_code.requested"


def sample_data(n: int = 0) -> dict:
    return {"user_id": f"u{n}", "email": f"u{n}@ars.test", "nom": "N", "prenom": "P", "code": "123456",
            "expires_at": "2030-01-01T00:00:00+00:00"}


class RunningRelay:
    """The relay in a thread of its own, as the worker runs it."""

    def __init__(self, settings: Settings):
        self.relay = OutboxRelay(settings, poll_seconds=5.0)  # slow poll: only NOTIFY makes it quick
        self.loop = asyncio.new_event_loop()
        self.stop = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.stop = asyncio.Event()
        self.loop.run_until_complete(self.relay.run(self.stop))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(timeout=10)


@pytest.fixture
def scratch_service(stack):
    """A service schema of its own (outbox + inbox), so no running worker relays its rows."""
    schema = unique("relay").replace("-", "_")
    db = Database(stack.database_url, schema)
    metadata = service_metadata(schema)
    define_tables(metadata)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        metadata.create_all(conn)
    yield schema, db
    with db.engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    db.dispose()


class Listener:
    """A queue bound to a private exchange, read from the test's thread."""

    def __init__(self, exchange: str):
        self.exchange = exchange
        self.received: list[dict] = []
        self.loop = asyncio.new_event_loop()
        self.loop.run_until_complete(self._setup())

    async def _setup(self):
        self.connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        channel = await self.connection.channel()
        exchange = await channel.declare_exchange(self.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        self.channel = channel
        self.queue = await channel.declare_queue(exclusive=True)
        await self.queue.bind(exchange, "#")

    def wait_for(self, count: int, timeout: float = 10) -> list[dict]:
        async def drain():
            deadline = time.monotonic() + timeout
            while len(self.received) < count and time.monotonic() < deadline:
                message = await self.queue.get(fail=False)
                if message is None:
                    await asyncio.sleep(0.02)
                    continue
                await message.ack()
                self.received.append(json.loads(message.body))
            return self.received

        return self.loop.run_until_complete(drain())

    def close(self):
        self.loop.run_until_complete(self.channel.exchange_delete(self.exchange))
        self.loop.run_until_complete(self.connection.close())
        self.loop.close()


def write_event(db: Database, schema: str, n: int) -> str:
    envelope = new_envelope(EVENT, sample_data(n), source=schema)
    with db.session() as session:
        add(session, schema, envelope)
    return envelope.id


def unsent(db: Database, schema: str) -> int:
    with db.engine.connect() as conn:
        return conn.execute(sa.text(f'SELECT count(*) FROM "{schema}".outbox WHERE sent_at IS NULL')).scalar_one()


def test_committed_event_is_published_promptly_then_marked_sent(scratch_service, stack):
    schema, db = scratch_service
    exchange = unique("ecars.events.relaytest")
    listener = Listener(exchange)
    settings = Settings(service=schema, database_url=stack.database_url, exchange=exchange)
    try:
        with RunningRelay(settings):
            event_id = write_event(db, schema, 1)
            started = time.monotonic()
            [received] = listener.wait_for(1)
            # NOTIFY wakes the relay: far sooner than its 5-second poll
            assert time.monotonic() - started < 4
        assert received["id"] == event_id and received["type"] == EVENT
        assert received["data"]["email"] == "u1@ars.test"
        assert unsent(db, schema) == 0
    finally:
        listener.close()


def test_rolled_back_change_publishes_nothing(scratch_service, stack):
    schema, db = scratch_service
    with pytest.raises(RuntimeError), db.session() as session:
        add(session, schema, new_envelope(EVENT, sample_data(), source=schema))
        raise RuntimeError("the change failed")
    with db.engine.connect() as conn:
        assert conn.execute(sa.text(f'SELECT count(*) FROM "{schema}".outbox')).scalar_one() == 0


def test_event_written_during_a_broker_outage_is_delivered_once_the_broker_is_back(scratch_service, stack):
    schema, db = scratch_service
    exchange = unique("ecars.events.relaytest")
    listener = Listener(exchange)
    proxy = TcpProxy(5672)
    proxy.up()
    settings = Settings(service=schema, database_url=stack.database_url, exchange=exchange,
                        amqp_url=f"amqp://guest:guest@127.0.0.1:{proxy.port}/")
    try:
        with RunningRelay(settings):
            before = write_event(db, schema, 1)
            assert [e["id"] for e in listener.wait_for(1)] == [before]

            proxy.down()  # injected: the broker becomes unreachable for the relay
            during = [write_event(db, schema, n) for n in range(2, 5)]
            time.sleep(1.5)
            assert unsent(db, schema) == 3, "nothing can be marked sent while the broker is away"
            assert len(listener.received) == 1

            proxy.up()  # the broker is back: the relay reconnects by itself
            ids = [e["id"] for e in listener.wait_for(4, timeout=20)]
        assert ids[1:] == during  # delivered, in order, each once
        assert unsent(db, schema) == 0
    finally:
        proxy.down()
        listener.close()
