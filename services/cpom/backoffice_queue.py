"""The ARS back-office's queue: `backoffice.transmissions`, a quorum queue bound to the transmissions of CPOM
information and the closing of self-evaluations, with its dead-letter queue (ecars_common.queues: the arguments,
and the migration of the classic queue of earlier releases). Declared by the cpom
service at `migrate` (ahead of any publication, so nothing is dropped while no back-office is connected).
The contract is docs/backoffice.md."""

import asyncio

from ecars_common import queues
from ecars_common.amqp import connect
from ecars_common.config import Settings

ROUTING_KEYS = ("cpom.information.transmitted", "contracts.evaluation.closed")


def queue_names(settings: Settings) -> dict[str, str]:
    main = f"{settings.queue_prefix}backoffice.transmissions"
    return {"main": main, "dead": f"{main}.dead"}


def queue_arguments(settings: Settings) -> dict:
    """Whoever declares the queue again (the back-office itself) must use these same arguments."""
    return queues.arguments(dead_letter_to=queue_names(settings)["dead"])


def specs(settings: Settings) -> list[queues.Spec]:
    names = queue_names(settings)
    return [queues.dead_letter_spec(names["dead"]),
            queues.Spec(names["main"], queue_arguments(settings), ROUTING_KEYS)]


async def declare(settings: Settings) -> None:
    connection = await connect(settings.amqp_url)
    async with connection:
        await queues.ensure(connection, settings.exchange, specs(settings))


def prepare(settings: Settings) -> None:
    """The `prepare` hook of `python -m services.cpom migrate`."""
    asyncio.run(declare(settings))
