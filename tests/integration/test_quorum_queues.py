"""Every queue the platform declares is a quorum queue with an explicit delivery limit and at-least-once
dead-lettering (ecars_common.queues); `migrate` replaces the classic queues of earlier releases in place, while
events keep being published, without losing a message; a message given back unacknowledged past the delivery
limit is parked in the dead-letter queue by the broker."""

import asyncio
import json
import subprocess

import aio_pika
import pytest

from ecars_common import queues
from ecars_common.config import Settings
from ecars_common.consumer import Consumer, declare_topology, queue_names
from tests.conftest import TEST_QUEUE_PREFIX, unique

AMQP = "amqp://guest:guest@127.0.0.1:5672/"
KEYS = ("scratch.thing.happened", "scratch.thing.changed")


def listed_queues() -> dict[str, dict]:
    done = subprocess.run(["rabbitmqctl", "list_queues", "--quiet", "--formatter", "json", "name", "type",
                           "arguments"], capture_output=True, text=True, timeout=60, check=True)
    return {q["name"]: {"type": q["type"], "arguments": {a[0]: a[2] for a in q["arguments"]}}
            for q in json.loads(done.stdout)}


def test_every_queue_the_platform_declares_is_a_quorum_queue(stack):
    ours = {name: q for name, q in listed_queues().items() if name.startswith(TEST_QUEUE_PREFIX)}
    expected = {f"{TEST_QUEUE_PREFIX}{service}.events{suffix}" for service in ("contracts", "cpom", "documents",
                                                                              "notifications")
                for suffix in ("", ".retry", ".dead")}
    expected |= {f"{TEST_QUEUE_PREFIX}backoffice.transmissions", f"{TEST_QUEUE_PREFIX}backoffice.transmissions.dead"}
    assert expected <= set(ours)
    for name in expected:
        queue = ours[name]
        assert queue["type"] == "quorum", name
        assert queue["arguments"]["x-delivery-limit"] > 0, name
        assert queue["arguments"]["x-overflow"] == "reject-publish", name
        if name.endswith(".dead"):
            assert "x-dead-letter-exchange" not in queue["arguments"], name
        else:
            assert queue["arguments"]["x-dead-letter-strategy"] == "at-least-once", name
            assert queue["arguments"]["x-dead-letter-routing-key"] in expected, name
    assert not [name for name in ours if name.endswith(queues.MIGRATING_SUFFIX)]


@pytest.fixture
def scratch_settings():
    name = unique("qq").replace("-", "_")
    settings = Settings(service=name, queue_prefix=TEST_QUEUE_PREFIX, exchange=f"ecars.events.{name}")
    yield settings
    asyncio.run(_delete(settings))


async def _delete(settings: Settings) -> None:
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        for name in queue_names(settings).values():
            await channel.queue_delete(name)
            await channel.queue_delete(name + queues.MIGRATING_SUFFIX)
        await channel.exchange_delete(settings.exchange)


async def declare_earlier(settings: Settings, kind: str) -> None:
    """The topology of the earlier releases: three classic queues — or, on a vhost whose default queue type is
    quorum (docs/operations.md), three quorum queues without delivery limit nor dead-letter strategy."""
    names = queue_names(settings)
    typed = {"x-queue-type": "quorum"} if kind == "quorum" else {}
    connection = await aio_pika.connect(AMQP)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(settings.exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        main = await channel.declare_queue(names["main"], durable=True, arguments=typed)
        for key in KEYS:
            await main.bind(exchange, key)
        await channel.declare_queue(names["retry"], durable=True, arguments={
            **typed, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": names["main"]})
        await channel.declare_queue(names["dead"], durable=True, arguments=typed)


async def publish(channel, exchange_name: str, ids, routing_key: str | None = None, **properties) -> None:
    exchange = await channel.get_exchange(exchange_name) if routing_key is None else channel.default_exchange
    for message_id in ids:
        await exchange.publish(aio_pika.Message(message_id.encode(), message_id=message_id,
                                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT, **properties),
                               routing_key=routing_key or KEYS[int(message_id.rsplit("-", 1)[1]) % 2])


async def drain(channel, name: str) -> list[aio_pika.abc.AbstractIncomingMessage]:
    queue = await queues.passive(channel, name)
    found = []
    while (message := await queue.get(fail=False, no_ack=False)) is not None:
        found.append(message)
        await message.ack()
    return found


@pytest.mark.parametrize("kind", ["classic", "quorum"])
def test_migrate_replaces_earlier_queues_without_losing_a_message_while_events_flow(scratch_settings, kind):
    settings, names = scratch_settings, queue_names(scratch_settings)

    async def scenario():
        await declare_earlier(settings, kind)
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            waiting = [f"before-{i}" for i in range(300)]
            await publish(channel, settings.exchange, waiting)
            retrying = [f"retry-{i}" for i in range(5)]
            await publish(channel, settings.exchange, retrying, routing_key=names["retry"], expiration=120)
            parked = [f"dead-{i}" for i in range(3)]
            await publish(channel, settings.exchange, parked, routing_key=names["dead"])

            during: list[str] = []
            done = asyncio.Event()

            async def keep_publishing():  # the producers do not stop for a migration
                publisher = await connection.channel(publisher_confirms=True)
                n = 0
                while not done.is_set() or n < 50:
                    await publish(publisher, settings.exchange, [f"during-{n}"])
                    during.append(f"during-{n}")
                    n += 1
                    await asyncio.sleep(0.002)

            flowing = asyncio.create_task(keep_publishing())
            await declare_topology(settings, KEYS)  # what `migrate` runs
            done.set()
            await flowing

            for spec in Consumer(settings, None, dict.fromkeys(KEYS)).specs():  # now quorum, with these arguments
                check = await connection.channel()
                await check.declare_queue(spec.name, durable=True, arguments=spec.arguments)
                await check.close()
            reader = await connection.channel()
            got_main = {m.message_id for m in await drain(reader, names["main"])}
            got_retry = await drain(reader, names["retry"])
            got_dead = {m.message_id for m in await drain(reader, names["dead"])}
            return waiting, during, retrying, parked, got_main, got_retry, got_dead

    waiting, during, retrying, parked, got_main, got_retry, got_dead = asyncio.run(scenario())
    assert len(during) >= 50
    assert set(waiting) | set(during) == got_main  # nothing lost (a duplicate would be skipped by the inbox)
    assert {m.message_id for m in got_retry} == set(retrying)
    assert all(m.expiration for m in got_retry)  # still delayed retries
    assert got_dead == set(parked)
    listed = listed_queues()
    assert all(listed[name]["type"] == "quorum" for name in names.values())
    assert not any(name + queues.MIGRATING_SUFFIX in listed for name in names.values())


def test_a_message_given_back_past_the_delivery_limit_is_parked_in_the_dead_letter_queue(scratch_settings):
    settings, names = scratch_settings, queue_names(scratch_settings)

    async def scenario():
        await declare_topology(settings, KEYS)
        connection = await aio_pika.connect(AMQP)
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await publish(channel, settings.exchange, ["poison-0"])
            main = await queues.passive(channel, names["main"])
            given_back = 0
            while (message := await main.get(fail=False, no_ack=False)) is not None:
                await message.nack(requeue=True)  # as when a worker dies with it in hand
                given_back += 1
            for _ in range(50):
                parked = await drain(channel, names["dead"])
                if parked:
                    return given_back, parked
                await asyncio.sleep(0.1)
            return given_back, []

    given_back, parked = asyncio.run(scenario())
    assert given_back == queues.DELIVERY_LIMIT + 1
    assert [m.message_id for m in parked] == ["poison-0"]
    assert parked[0].headers["x-first-death-reason"] == "delivery_limit"
