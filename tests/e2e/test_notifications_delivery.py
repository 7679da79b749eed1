"""Email delivery: SMTP down → retried with backoff, delivered once it is back, once; dead letters
inspected and replayed from the support dashboard; dashboards are for the support team only."""

import asyncio
import socket
import time

import aio_pika
import httpx
from aiosmtpd.controller import Controller

from ecars_common.config import SERVICES
from ecars_common.consumer import Consumer
from ecars_common.db import Database
from ecars_common.events import new_envelope
from services.notifications.bootstrap import event_handlers
from services.notifications.config import Config
from tests.conftest import TEST_QUEUE_PREFIX, unique
from tests.integration.test_consumer import RunningConsumer, consuming, publish, wait_until
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content.decode(errors="replace"))
        return "250 OK"


def code_event(email: str):
    return new_envelope("auth.verification_code.requested", {
        "user_id": "u1", "email": email, "nom": "MARTIN", "prenom": "Jeanne", "code": "246810",
        "expires_at": "2030-01-01T00:00:00+00:00"}, source="auth")


def test_smtp_down_is_retried_then_delivered_once_when_it_is_back(stack):
    port = free_port()  # injected: nothing listens here yet, the SMTP server is "down"
    name = unique("notif").replace("-", "_")
    config = Config(database_url=stack.database_url, exchange=f"ecars.events.{name}", queue_prefix=f"{name}.",
                    smtp_port=port, consumer_max_attempts=30, consumer_retry_delay=0.2)
    db = Database(stack.database_url, "notifications")
    consumer = Consumer(config, db, event_handlers(config))
    email = f"{name}@ars.test"
    envelope = code_event(email)
    inbox = Inbox()
    with RunningConsumer(consumer):
        wait_until(lambda: consuming(config))
        asyncio.run(publish(config, [envelope.to_json()]))
        # 30 s: three attempts take ~1.4 s alone, but failed once in the whole suite at 10 s on a loaded machine
        wait_until(lambda: _delivery(stack, envelope.id)["attempts"] >= 3 if _delivery(stack, envelope.id) else False,
                   timeout=30)
        failed = _delivery(stack, envelope.id)
        assert failed["status"] == "failed" and "ConnectionRefusedError" in failed["last_error"]

        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()  # the SMTP server comes back
        try:
            wait_until(lambda: len(inbox.messages) == 1, timeout=20)
            wait_until(lambda: _delivery(stack, envelope.id)["status"] == "sent", timeout=30)
            asyncio.run(publish(config, [envelope.to_json()] * 2))  # injected: the event delivered again
            time.sleep(1.0)
        finally:
            controller.stop()
    assert len(inbox.messages) == 1, "one email for one event, however often it is delivered"
    assert "246810" in inbox.messages[0]
    sent = _delivery(stack, envelope.id)
    assert sent["status"] == "sent" and sent["attempts"] >= 4
    db.dispose()
    asyncio.run(_cleanup(config))


def _delivery(stack, event_id):
    found = rows(stack, "SELECT status, attempts, last_error FROM notifications.deliveries WHERE event_id = %s",
                 event_id)
    return found[0] if found else None


async def _cleanup(config):
    connection = await aio_pika.connect(config.amqp_url)
    async with connection:
        channel = await connection.channel()
        for suffix in ("", ".retry", ".dead"):
            await channel.queue_delete(f"{config.queue_prefix}notifications.events{suffix}")
        await channel.exchange_delete(config.exchange)


def test_support_inspects_and_replays_a_dead_letter_from_the_dashboard(gateway, stack, mailbox):
    email = f"{unique('dead')}@ars.test"
    envelope = code_event(email)

    async def park():  # as the consumer parks a message that failed every attempt
        connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        async with connection:
            channel = await connection.channel(publisher_confirms=True)
            await channel.default_exchange.publish(
                aio_pika.Message(envelope.to_json(), headers={"x-error": "SMTPServerDisconnected()", "x-attempts": 5,
                                                              "x-original-routing-key": envelope.type}),
                routing_key=f"{TEST_QUEUE_PREFIX}notifications.events.dead")

    asyncio.run(park())
    support = bearer(sign_in(gateway, active_user(stack, role="support")[0]))
    board = httpx.get(f"{gateway}/api/notifications/dashboard", headers=support, timeout=15).json()
    assert board["queues"]["dead"] >= 1
    assert board["checks"] == {"database": "ok", "broker": "ok", "smtp": "ok"}
    assert {"unsent", "oldest_unsent_at"} <= set(board["outbox"]) and "emails_by_status" in board["counts"]
    parked = httpx.get(f"{gateway}/api/notifications/dashboard/dead-letters", headers=support, timeout=15).json()
    mine = [item for item in parked["items"] if item["event_id"] == envelope.id]
    assert mine and mine[0]["error"] == "SMTPServerDisconnected()" and mine[0]["attempts"] == 5
    assert mailbox.messages(email) == []
    replayed = httpx.post(f"{gateway}/api/notifications/dashboard/dead-letters/replay", headers=support, timeout=15)
    assert replayed.status_code == 200 and replayed.json()["replayed"] >= 1
    [mail] = mailbox.wait_for(email)
    assert "246810" in mail["text"]


def test_dashboards_are_for_the_support_team_only(gateway, stack):
    member = bearer(sign_in(gateway, active_user(stack)[0]))
    ars = bearer(sign_in(gateway, active_user(stack, role="ars", region="Bretagne")[0]))
    support = bearer(sign_in(gateway, active_user(stack, role="support")[0]))
    for service in SERVICES:
        url = f"{gateway}/api/{service}/dashboard"
        assert httpx.get(url).status_code == 401
        assert httpx.get(url, headers=member).status_code == 403
        assert httpx.get(url, headers=ars).status_code == 403
        board = httpx.get(url, headers=support, timeout=15)
        assert board.status_code == 200, service
        assert board.json()["service"] == service
        assert {"checks", "outbox", "queues", "traffic", "counts"} <= set(board.json())
        expected = {"auth": "accounts_locked", "contracts": "contracts_by_status", "cpom": "cpoms_by_status",
                    "documents": "bytes_stored", "notifications": "emails_by_status"}.get(service)
        assert expected is None or expected in board.json()["counts"], service
        depths = board.json()["queues"]
        assert set(depths) == {"main", "retry", "dead"}, (service, depths)
        assert all(depth is None or (isinstance(depth, int) and depth >= 0) for depth in depths.values())
        consumes = service != "auth"  # auth consumes no event (reporting does since the receipts)
        assert isinstance(depths["main"], int) == consumes and isinstance(depths["dead"], int) == consumes, depths
        kept = board.json()["housekeeping"]
        assert kept["outbox_sent_rows"] >= 0 and kept["inbox_rows"] >= 0 and kept["events_retention_days"] > 0
    assert httpx.post(f"{gateway}/api/notifications/dashboard/dead-letters/replay", headers=member).status_code == 403
