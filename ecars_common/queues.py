"""The platform's queues: every one a quorum queue (replicated by Raft on a cluster, a message confirmed by a
majority of nodes), declared with the same arguments by whoever declares it (`migrate`, the worker, the
dashboard), and migrated in place from the classic queues of earlier releases without losing a message.

Arguments (RabbitMQ 3.10, docs/events.md « Queues »):
- `x-queue-type: quorum`;
- `x-delivery-limit`: how many times a message may go back to its queue unacknowledged (a worker killed or cut off
  with it in hand) before the broker dead-letters it: DELIVERY_LIMIT for the service and retry queues (a poison
  message that kills its worker then ends in the dead-letter queue instead of looping), DEAD_DELIVERY_LIMIT for
  the dead-letter queues, where the support dashboard's inspection (get, then requeue) counts one delivery and a
  message past the limit would be dropped (a dead-letter queue has no dead-letter queue of its own);
- dead-lettering `x-dead-letter-strategy: at-least-once` (3.10+, quorum source queues only; the broker keeps a
  dead-lettered message until the target queue confirmed it, e.g. while the target is being migrated or has lost
  its majority) — which requires `x-overflow: reject-publish`, set on every queue (none has a length limit, so
  nothing is ever refused for length);
- the consumer's prefetch: PREFETCH messages in hand per worker (handled concurrently, each in its own thread and
  transaction), enough to keep its database pool busy, few enough to be redelivered quickly if it dies."""

import logging
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractQueue

from ecars_common.amqp import declare_exchange

log = logging.getLogger(__name__)

DELIVERY_LIMIT = 10
DEAD_DELIVERY_LIMIT = 10_000
PREFETCH = 32
MIGRATING_SUFFIX = ".migrating"


def arguments(dead_letter_to: str | None = None, delivery_limit: int = DELIVERY_LIMIT) -> dict:
    """A quorum queue's arguments; `dead_letter_to`: the queue (through the default exchange) that receives what
    it dead-letters (expired, rejected, past the delivery limit)."""
    found = {"x-queue-type": "quorum", "x-delivery-limit": delivery_limit, "x-overflow": "reject-publish"}
    if dead_letter_to is not None:
        found |= {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead_letter_to,
                  "x-dead-letter-strategy": "at-least-once"}
    return found


@dataclass(frozen=True)
class Spec:
    name: str
    arguments: dict
    bindings: tuple[str, ...] = ()  # routing keys on the platform's topic exchange


def dead_letter_spec(name: str) -> Spec:
    return Spec(name, arguments(delivery_limit=DEAD_DELIVERY_LIMIT))


async def ensure(connection: AbstractConnection, exchange_name: str, specs: list[Spec]) -> None:
    """Declare each queue (in order: a dead-letter target before its source) with its arguments and bindings; one
    that exists with other arguments (a classic queue of an earlier release) is migrated first."""
    for spec in specs:
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments)
        except aio_pika.exceptions.ChannelPreconditionFailed:  # the failed declare closed that channel
            moved = await migrate(connection, exchange_name, spec)
            log.info("queue %s migrated to a quorum queue, %d message(s) moved", spec.name, moved)
            continue
        if spec.bindings:
            exchange = await declare_exchange(channel, exchange_name)
            for routing_key in spec.bindings:
                await queue.bind(exchange, routing_key)
        await channel.close()
        await finish_interrupted_migration(connection, exchange_name, spec)


async def passive(channel: AbstractChannel, name: str) -> AbstractQueue:
    """An existing queue, for consuming or reading from it without repeating its arguments."""
    return await channel.declare_queue(name, passive=True)


async def existing(connection: AbstractConnection, name: str) -> tuple[AbstractChannel, AbstractQueue | None]:
    """A new channel and the queue `name` on it, or None if no such queue (a service that consumes no events has
    no dead-letter queue: the failed passive declaration closed the first channel, the one returned is fresh)."""
    channel = await connection.channel(publisher_confirms=True)
    try:
        return channel, await passive(channel, name)
    except aio_pika.exceptions.ChannelNotFoundEntity:
        return await connection.channel(publisher_confirms=True), None


async def migrate(connection: AbstractConnection, exchange_name: str, spec: Spec) -> int:
    """Replace the queue `spec.name` (other arguments: a classic queue, or a quorum queue without a delivery limit) by
    the quorum queue `spec`, keeping every message. A quorum queue `<name>.migrating` takes the bindings first, then
    the old queue is unbound, emptied into it and deleted; the new queue is declared and bound, the interim one
    unbound and emptied into it. Messages published meanwhile may reach both (a duplicate the consumers' inbox
    skips), never neither. Returns how many messages were moved out of the old queue."""
    channel = await connection.channel(publisher_confirms=True)
    exchange = await declare_exchange(channel, exchange_name) if spec.bindings else None
    interim = await channel.declare_queue(spec.name + MIGRATING_SUFFIX, durable=True, arguments=spec.arguments)
    for routing_key in spec.bindings:
        await interim.bind(exchange, routing_key)
    old = await passive(channel, spec.name)
    for routing_key in spec.bindings:
        await old.unbind(exchange, routing_key)
    moved = await empty_into(connection, channel, old, interim.name)
    await channel.close()
    # A new channel for the new queue: RabbitMQ 3.10's channel remembers the type of a queue it used by name, and a
    # publish to the quorum queue that replaced it on the same channel crashes the channel (INTERNAL_ERROR).
    channel = await connection.channel(publisher_confirms=True)
    exchange = await declare_exchange(channel, exchange_name) if spec.bindings else None
    interim = await passive(channel, interim.name)
    new = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments)
    for routing_key in spec.bindings:
        await new.bind(exchange, routing_key)
    for routing_key in spec.bindings:
        await interim.unbind(exchange, routing_key)
    await empty_into(connection, channel, interim, spec.name)
    await channel.close()
    return moved


async def finish_interrupted_migration(connection: AbstractConnection, exchange_name: str, spec: Spec) -> None:
    """A migration cut short after the new queue was made leaves `<name>.migrating`: unbind it, move its messages
    on, delete it."""
    channel = await connection.channel(publisher_confirms=True)
    try:
        interim = await passive(channel, spec.name + MIGRATING_SUFFIX)
    except aio_pika.exceptions.ChannelClosed:
        return
    if spec.bindings:
        exchange = await declare_exchange(channel, exchange_name)
        for routing_key in spec.bindings:
            await interim.unbind(exchange, routing_key)
    await empty_into(connection, channel, interim, spec.name)
    await channel.close()


async def empty_into(connection: AbstractConnection, channel: AbstractChannel, source: AbstractQueue,
                     target: str) -> int:
    """Move every message of `source` to the queue `target` (each one acknowledged only once the target confirmed
    its copy), then delete `source` once its count reads 0 (it is unbound by then: only a message an old worker
    gives back can still arrive, moved at the next turn). Not with if-empty: quorum queues refuse it, and the queue
    replaced may be a quorum queue of other arguments."""
    moved = 0
    for _ in range(10):
        while (message := await source.get(fail=False, no_ack=False)) is not None:
            await channel.default_exchange.publish(aio_pika.Message(
                message.body, content_type=message.content_type, delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=message.message_id, type=message.type, headers=message.headers or {},
                expiration=message.expiration), routing_key=target)
            await message.ack()
            moved += 1
        deleting = await connection.channel()
        try:
            if (await passive(deleting, source.name)).declaration_result.message_count == 0:
                await deleting.queue_delete(source.name)
                return moved
        finally:
            if not deleting.is_closed:
                await deleting.close()
    raise RuntimeError(f"{source.name} kept receiving messages: migration not finished, run migrate again")
