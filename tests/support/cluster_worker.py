"""A worker process for the cluster tests: the platform's outbox relay and consumer (ecars_common.relay, .consumer)
of a scratch schema, connected through ECARS_AMQP_URL (the cluster's three nodes), recording for the checker
(tests/support/cluster_checker.py) every publisher confirm the relay receives and every message the consumer is
handed; its handler writes one effect row per event, in the inbox's transaction.

    python -m tests.support.cluster_worker <database_url> <schema> <exchange> --name NAME
"""

import argparse
import asyncio
import signal

import psycopg
import sqlalchemy as sa

from ecars_common.amqp import pg_dsn
from ecars_common.config import Settings
from ecars_common.consumer import Consumer
from ecars_common.db import Database
from ecars_common.relay import OutboxRelay

EVENT = "auth.verification_code.requested"


class Recorder:
    """Rows written at once, outside any transaction of the platform's code (autocommit)."""

    def __init__(self, database_url: str, schema: str, worker: str):
        self.conn = psycopg.connect(pg_dsn(database_url), autocommit=True)
        self.schema, self.worker = schema, worker

    def confirms(self, event_ids: list[str]) -> None:
        with self.conn.cursor() as cursor:
            cursor.executemany(f'INSERT INTO "{self.schema}".confirms (event_id, worker) VALUES (%s, %s)',
                               [(event_id, self.worker) for event_id in event_ids])

    def delivery(self, event_id: str, redelivered: bool) -> None:
        self.conn.execute(f'INSERT INTO "{self.schema}".deliveries (event_id, worker, redelivered) VALUES (%s, %s, %s)',
                          (event_id, self.worker, redelivered))


class RecordingRelay(OutboxRelay):
    def __init__(self, settings: Settings, recorder: Recorder):
        super().__init__(settings)
        self.recorder = recorder

    def confirmed(self, event_ids: list[str]) -> None:
        self.recorder.confirms(event_ids)


class RecordingConsumer(Consumer):
    def __init__(self, settings: Settings, db: Database, handlers, recorder: Recorder):
        super().__init__(settings, db, handlers)
        self.recorder = recorder

    async def on_message(self, channel, message) -> None:
        self.recorder.delivery(message.message_id or "", bool(message.redelivered))
        await super().on_message(channel, message)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database_url")
    parser.add_argument("schema")
    parser.add_argument("exchange")
    parser.add_argument("--name", default="worker")
    args = parser.parse_args()
    settings = Settings(service=args.schema, database_url=args.database_url, exchange=args.exchange,
                        consumer_retry_delay=0.2, consumer_max_attempts=50)
    db = Database(args.database_url, args.schema)
    recorder = Recorder(args.database_url, args.schema, args.name)

    def handler(session, envelope):
        session.execute(sa.text(f'INSERT INTO "{args.schema}".effects (event_id, worker) VALUES (:id, :w)'),
                        {"id": envelope.id, "w": args.name})

    async def run():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        consumer = RecordingConsumer(settings, db, {EVENT: handler}, recorder)
        await asyncio.gather(RecordingRelay(settings, recorder).run(stop), consumer.run(stop))

    asyncio.run(run())


if __name__ == "__main__":
    main()
