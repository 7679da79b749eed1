"""A service's worker process: its outbox relay and, if it consumes events, its consumer."""

import asyncio
import logging
import signal

from ecars_common.config import Settings
from ecars_common.consumer import Consumer, Handler
from ecars_common.db import Database
from ecars_common.relay import OutboxRelay

log = logging.getLogger(__name__)


async def serve(settings: Settings, db: Database, handlers: dict[str, Handler], stop: asyncio.Event) -> None:
    tasks = [OutboxRelay(settings).run(stop)]
    if handlers:
        tasks.append(Consumer(settings, db, handlers).run(stop))
    log.info("worker started: relay%s", f" + consumer of {sorted(handlers)}" if handlers else "")
    await asyncio.gather(*tasks)


def run(settings: Settings, db: Database, handlers: dict[str, Handler]) -> None:
    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, db, handlers, stop)

    asyncio.run(main())
    log.info("worker stopped")
