"""Event pipeline speed against the machine's real PostgreSQL and RabbitMQ.

1. Throughput: the outbox relay draining N committed rows, against a bare batched aio-pika publisher
   with confirms sending the same N messages, in the same run (target relay ≥ 0.8× bare). Both are timed
   from their first message (connecting is not counted for either), in ROUNDS alternating rounds: the
   machine's speed drifts, so the ratio is the median of the rounds' ratios.
2. Latency: commit of a change with its outbox row → the consumer's handler running, over M events
   one at a time (targets p50 < 25 ms, p99 < 100 ms).

    .venv/bin/python -m bench.events_bench
"""

import asyncio
import statistics
import time
import uuid

import aio_pika
import sqlalchemy as sa

from deploy.localstack import Stack
from ecars_common.config import Settings
from ecars_common.consumer import Consumer, queue_names
from ecars_common.db import Database, service_metadata
from ecars_common.events import new_envelope
from ecars_common.outbox import add, define_tables
from ecars_common.relay import OutboxRelay

N = 5000
M = 300
ROUNDS = 3
AMQP = "amqp://guest:guest@127.0.0.1:5672/"
EVENT = "auth.verification_code.requested"
DATA = {"user_id": "u", "email": "bench@e-cars.test", "nom": "N", "prenom": "P", "code": "123456",
        "expires_at": "2030-01-01T00:00:00+00:00"}


def scratch(database_url: str) -> tuple[str, Database]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    db = Database(database_url, schema)
    metadata = service_metadata(schema)
    define_tables(metadata)
    with db.engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        metadata.create_all(conn)
    return schema, db


def drop(db: Database, schema: str) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    db.dispose()


async def bare_publisher(exchange_name: str, bodies: list[bytes], batch: int = 500) -> float:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(exchange_name, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "#")
        started = time.perf_counter()
        for i in range(0, len(bodies), batch):
            await asyncio.gather(*(exchange.publish(
                aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=EVENT)
                for body in bodies[i:i + batch]))
        elapsed = time.perf_counter() - started
        await channel.exchange_delete(exchange_name)
    return elapsed


class TimedRelay(OutboxRelay):
    """The relay, noting when its first batch starts: its connections are made before, as the bare publisher's."""

    started: float | None = None

    async def publish_batch(self, conn, exchange) -> int:
        if self.started is None:
            self.started = time.perf_counter()
        return await super().publish_batch(conn, exchange)


async def relay_drain(settings: Settings, db: Database, schema: str) -> float:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(settings.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "#")
        relay, stop = TimedRelay(settings), asyncio.Event()
        task = asyncio.create_task(relay.run(stop))
        while relay.published < N:
            await asyncio.sleep(0.005)
        elapsed = time.perf_counter() - relay.started
        stop.set()
        await task
        await channel.exchange_delete(settings.exchange)
    return elapsed


async def latency(settings: Settings, db: Database, schema: str) -> list[float]:
    arrived: dict[str, float] = {}

    def handler(session, envelope):
        arrived[envelope.id] = time.perf_counter()

    consumer, relay, stop = Consumer(settings, db, {EVENT: handler}), OutboxRelay(settings), asyncio.Event()
    tasks = [asyncio.create_task(consumer.run(stop)), asyncio.create_task(relay.run(stop))]
    await asyncio.sleep(1.0)  # both connected
    samples = []
    for _ in range(M):
        envelope = new_envelope(EVENT, DATA, source=schema)

        def commit(envelope=envelope):
            with db.session() as session:
                add(session, schema, envelope)
            return time.perf_counter()

        committed = await asyncio.to_thread(commit)
        while envelope.id not in arrived:
            await asyncio.sleep(0.0005)
        samples.append(arrived[envelope.id] - committed)
    stop.set()
    await asyncio.gather(*tasks)
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        for name in queue_names(settings).values():
            await channel.queue_delete(name)
        await channel.exchange_delete(settings.exchange)
    return samples


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    stack = Stack(database="ecars_bench")
    stack.ensure_database()
    schema, db = scratch(stack.database_url)
    try:
        settings = Settings(service=schema, database_url=stack.database_url, exchange=f"bench.{schema}",
                            queue_prefix="bench.")
        rounds = []
        for _ in range(ROUNDS):
            envelopes = [new_envelope(EVENT, DATA, source=schema) for _ in range(N)]
            with db.session() as session:
                session.execute(sa.text(f'INSERT INTO "{schema}".outbox (event_id, type, envelope) '
                                        "VALUES (:id, :type, CAST(:env AS jsonb))"),
                                [{"id": e.id, "type": e.type, "env": e.to_json().decode()} for e in envelopes])
            bare = asyncio.run(bare_publisher(f"bench.bare.{schema}", [e.to_json() for e in envelopes]))
            relay = asyncio.run(relay_drain(settings, db, schema))
            rounds.append((bare, relay))
        print(f"Event throughput, {N} persistent messages, publisher confirms, batches of 500, {ROUNDS} rounds")
        for n, (bare, relay) in enumerate(rounds, 1):
            print(f"  round {n}: bare aio-pika publisher {N / bare:6.0f} msg/s, outbox relay {N / relay:6.0f} msg/s "
                  f"(reads, publishes, marks sent), ratio {bare / relay:.2f}")
        ratio = statistics.median(bare / relay for bare, relay in rounds)
        print(f"  ratio relay / bare (median) : {ratio:5.2f}   target ≥ 0.80 {'✔' if ratio >= 0.8 else '✘'}")
        samples = asyncio.run(latency(settings, db, schema))
        print(f"Commit → consumer handler, {M} events one at a time (NOTIFY wakes the relay)")
        print(f"  p50 {percentile(samples, 50) * 1000:6.1f} ms   p99 {percentile(samples, 99) * 1000:6.1f} ms   "
              f"max {max(samples) * 1000:6.1f} ms   mean {statistics.mean(samples) * 1000:6.1f} ms   "
              "targets p50 < 25 ms, p99 < 100 ms")
    finally:
        drop(db, schema)


if __name__ == "__main__":
    main()
