"""A worker process for fault tests: relay + consumer of a scratch schema, whose handler records an
effect and, with --hold, then waits before its transaction commits (so it can be killed mid-message).

    python -m tests.support.fault_worker <database_url> <schema> <exchange> [--hold SECONDS] [--name NAME]
"""

import argparse
import asyncio
import time

import sqlalchemy as sa

from ecars_common.config import Settings
from ecars_common.db import Database
from ecars_common.worker import serve

EVENT = "auth.verification_code.requested"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("schema")
    parser.add_argument("exchange")
    parser.add_argument("--hold", type=float, default=0.0)
    parser.add_argument("--name", default="worker")
    args = parser.parse_args()
    settings = Settings(service=args.schema, database_url=args.database_url, exchange=args.exchange,
                        consumer_retry_delay=0.2, consumer_max_attempts=50)
    db = Database(args.database_url, args.schema)

    def handler(session, envelope):
        session.execute(sa.text(f'INSERT INTO "{args.schema}".effects (event_id, worker) VALUES (:id, :w)'),
                        {"id": envelope.id, "w": args.name})
        if args.hold:
            print(f"holding {envelope.id}", flush=True)
            time.sleep(args.hold)

    async def run():
        await serve(settings, db, {EVENT: handler}, asyncio.Event())

    asyncio.run(run())


if __name__ == "__main__":
    main()
