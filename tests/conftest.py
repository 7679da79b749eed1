"""The test suite runs against the real PostgreSQL and RabbitMQ of the machine, SeaweedFS and the mail
sink: the `stack` fixture starts the whole system once per session on its own ports, database
(`ecars_test`, recreated each run), exchange and queue names, so a `make run` beside it is untouched."""

import asyncio
import os
import time
import uuid

import aio_pika
import pytest

from deploy.localstack import Stack
from deploy.mailsink import read_messages
from ecars_common.config import SERVICES

# ECARS_TEST_SLOT=N runs a second suite beside the first on other ports, database and queues.
SLOT = int(os.environ.get("ECARS_TEST_SLOT", "0"))
TEST_EXCHANGE = f"ecars.events.test{SLOT or ''}"
TEST_QUEUE_PREFIX = f"test{SLOT or ''}."


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def _delete_test_queues() -> None:
    connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
    async with connection:
        channel = await connection.channel()
        for name in SERVICES:
            for suffix in ("", ".retry", ".dead"):
                await channel.queue_delete(f"{TEST_QUEUE_PREFIX}{name}.events{suffix}")


class Mailbox:
    def __init__(self, directory):
        self.directory = directory

    def messages(self, to: str | None = None) -> list[dict]:
        return [m for m in read_messages(self.directory) if to is None or to.lower() in (m["to"] or "").lower()]

    def wait_for(self, to: str, count: int = 1, timeout: float = 45, subject: str = "") -> list[dict]:
        """The messages to `to` (whose subject contains `subject`, if given) once there are `count` of them."""
        # generous: on a loaded machine a message crosses outbox, relay, broker and SMTP in up to ~20 s
        # (seen: « expected 2 email(s), got 2 » — the second arrived as the 15 s ran out)
        def found() -> list[dict]:
            return [m for m in self.messages(to) if subject in (m["subject"] or "")]

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(matching := found()) >= count:
                return matching
            time.sleep(0.1)
        raise AssertionError(f"expected {count} email(s) to {to} {subject!r} within {timeout:.0f} s, "
                             f"got {len(found())}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    asyncio.run(_delete_test_queues())
    stack = Stack(
        state_dir=tmp_path_factory.mktemp("stack"),
        database=f"ecars_test{SLOT or ''}",
        gateway_port=9080 + 1000 * SLOT,
        first_service_port=9181 + 1000 * SLOT,
        smtp_port=9025 + 1000 * SLOT,
        mail_web_port=9026 + 1000 * SLOT,
        exchange=TEST_EXCHANGE,
        queue_prefix=TEST_QUEUE_PREFIX,
        s3_bucket=unique("ecars-test"),
        shared_s3=True,
        gunicorn_workers=1,
        gunicorn_threads=8,
        # the test buckets keep their documents under COMPLIANCE lock for a day, not the product's ten years
        # the contracts worker's calendar job (closing dates, reminders) runs every second, not every minute
        extra_env={"ECARS_CONSUMER_RETRY_DELAY": "0.2", "ECARS_LOG_LEVEL": "INFO",
                   "ECARS_DOCUMENTS_RETENTION_DAYS": "1", "ECARS_CALENDAR_INTERVAL_SECONDS": "1",
                   # the workers purge their outbox and inbox every second (tests/integration/test_housekeeping.py)
                   "ECARS_HOUSEKEEPING_INTERVAL_SECONDS": "1"},
    )
    try:
        stack.up(fresh_database=True)
        yield stack
    finally:
        stack.down()
        if os.environ.get("CI"):
            for log in sorted(stack.log_dir.glob("*.log")):
                text = log.read_text(errors="replace")
                if "Traceback" in text:
                    print(f"\n----- {log.name} (has a traceback) -----\n{text[-4000:]}")


@pytest.fixture(scope="session")
def gateway(stack) -> str:
    return stack.gateway_url


@pytest.fixture(scope="session")
def mailbox(stack) -> Mailbox:
    return Mailbox(stack.mail_dir)


@pytest.fixture(scope="session")
def stack_env(stack) -> dict:
    """The environment the stack's processes run with, for tests that build their own settings."""
    return stack.env()
