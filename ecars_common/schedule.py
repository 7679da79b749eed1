"""Periodic jobs run by a service's worker, safe with any number of workers.

Each run of a job is one unit of work that first takes a PostgreSQL advisory lock named after the job
(`pg_try_advisory_xact_lock`, released at commit or rollback): a worker that does not get it skips that
run, so two workers never run the same job at the same time. A job must still be idempotent — a run
may follow another worker's within a second, or repeat one interrupted by a crash — which the jobs
ensure with unique rows written in the same transaction as their effects."""

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.db import Database

log = logging.getLogger(__name__)

TRY_LOCK = sa.text("SELECT pg_try_advisory_xact_lock(:key)")


@dataclass(frozen=True)
class PeriodicJob:
    name: str  # also names its advisory lock: one name per job across the whole platform
    every_seconds: float
    run: Callable[[Connection], object]  # called inside the unit of work that holds the lock


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_xact_lock, from the job's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def run_once(db: Database, job: PeriodicJob) -> tuple[bool, object]:
    """(True, what the job returned) if this process got the job's lock and ran it; (False, None) if
    another process holds it (it is running the job now)."""
    with db.session() as session:
        if not session.execute(TRY_LOCK, {"key": lock_key(job.name)}).scalar_one():
            return False, None
        return True, job.run(session)


async def run_periodically(db: Database, jobs: list[PeriodicJob], stop: asyncio.Event) -> None:
    """Run each job every `every_seconds` until `stop` is set, in a thread (jobs are synchronous database
    work); a failed run is logged and tried again at the next tick."""
    if not jobs:
        return
    next_run = {job.name: 0.0 for job in jobs}
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        for job in jobs:
            if loop.time() < next_run[job.name]:
                continue
            try:
                ran, result = await asyncio.to_thread(run_once, db, job)
                if ran and result:
                    log.info("job %s: %s", job.name, result)
            except Exception:
                log.exception("job %s failed; it runs again at its next tick", job.name)
            next_run[job.name] = loop.time() + job.every_seconds
        wait = max(0.05, min(next_run.values()) - loop.time())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=wait)
