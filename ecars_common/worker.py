"""A service's worker process: its outbox relay, its consumer if it consumes events, the housekeeping of its outbox
and inbox (ecars_common.housekeeping), and its own periodic jobs (ecars_common.schedule) if it has any."""

import asyncio
import logging
import signal

from ecars_common import housekeeping
from ecars_common.config import Settings
from ecars_common.consumer import Consumer, Handler
from ecars_common.db import Database
from ecars_common.relay import OutboxRelay
from ecars_common.schedule import PeriodicJob, run_periodically

log = logging.getLogger(__name__)


async def serve(settings: Settings, db: Database, handlers: dict[str, Handler], stop: asyncio.Event,
                jobs: list[PeriodicJob] = ()) -> None:
    tasks = [OutboxRelay(settings).run(stop)]
    if handlers:
        tasks.append(Consumer(settings, db, handlers).run(stop))
    jobs = [*jobs, housekeeping.job(settings)]
    tasks.append(run_periodically(db, jobs, stop))
    log.info("worker started: relay%s%s", f" + consumer of {sorted(handlers)}" if handlers else "",
             f" + jobs {[job.name for job in jobs]}")
    await asyncio.gather(*tasks)


def run(settings: Settings, db: Database, handlers: dict[str, Handler], jobs: list[PeriodicJob] = ()) -> None:
    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, db, handlers, stop, jobs)

    asyncio.run(main())
    log.info("worker stopped")
