"""The ARS back-office's queue: `backoffice.transmissions`, durable, bound to the transmissions of CPOM
information and the closing of self-evaluations, with its dead-letter queue. Declared by the cpom
service at `migrate` (ahead of any publication, so nothing is dropped while no back-office is connected).
The contract is docs/backoffice.md."""

import asyncio

import aio_pika

from ecars_common.amqp import declare_exchange
from ecars_common.config import Settings

ROUTING_KEYS = ("cpom.information.transmitted", "contracts.evaluation.closed")


def queue_names(settings: Settings) -> dict[str, str]:
    main = f"{settings.queue_prefix}backoffice.transmissions"
    return {"main": main, "dead": f"{main}.dead"}


def queue_arguments(settings: Settings) -> dict:
    """Whoever declares the queue again (the back-office itself) must use these same arguments."""
    return {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue_names(settings)["dead"]}


async def declare(settings: Settings) -> None:
    names = queue_names(settings)
    connection = await aio_pika.connect(settings.amqp_url, timeout=5)
    async with connection:
        channel = await connection.channel()
        exchange = await declare_exchange(channel, settings.exchange)
        await channel.declare_queue(names["dead"], durable=True)
        queue = await channel.declare_queue(names["main"], durable=True, arguments=queue_arguments(settings))
        for routing_key in ROUTING_KEYS:
            await queue.bind(exchange, routing_key)


def prepare(settings: Settings) -> None:
    """The `prepare` hook of `python -m services.cpom migrate`."""
    asyncio.run(declare(settings))
