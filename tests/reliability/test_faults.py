"""Faults injected into the real broker and worker processes; each test says what it injected and what
it counted. These stop the machine's RabbitMQ for a few seconds: run them on their own (CI does)."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from tests.support.scratch import Scratch, produce, wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def scratch(stack):
    scratch = Scratch(stack.database_url)
    yield scratch
    scratch.drop()


def start_worker(scratch: Scratch, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.fault_worker", scratch.settings.database_url, scratch.name,
         scratch.settings.exchange, *extra],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True)


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        process.wait(timeout=20)


def rabbitmqctl(command: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", command], check=True, timeout=120, capture_output=True)


def test_broker_stopped_and_started_while_1000_events_flow_each_has_one_effect(scratch):
    """Injected: `rabbitmqctl stop_app` once about a third of 1,000 events are handled, `start_app` 3 s
    later, while the producer keeps committing (paced over ~10 s, so the outage falls inside the flow
    whatever the machine's speed). Counted: effects in the consumer's table."""
    worker = start_worker(scratch)
    produced: list[str] = []
    producer = threading.Thread(target=lambda: produced.extend(produce(scratch, 1000, pause=0.1)))
    try:
        time.sleep(1.5)  # the worker has declared its queue
        producer.start()
        wait_until(lambda: scratch.effect_counts()[0] >= 300, 60, "a third of the events handled")
        rabbitmqctl("stop_app")
        producing_during_outage = producer.is_alive()
        time.sleep(3)
        during = scratch.effect_counts()[0]
        rabbitmqctl("start_app")
        producer.join(timeout=120)
        wait_until(lambda: scratch.effect_counts()[1] >= 1000, 120, "every event handled")
        time.sleep(1.0)  # anything duplicated would show now
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], timeout=120, capture_output=True)
        stop(worker)
    total, distinct = scratch.effect_counts()
    assert len(produced) == 1000
    assert producing_during_outage and during < 1000, "the outage happened while events were still flowing"
    assert (total, distinct) == (1000, 1000), "every event delivered, each with exactly one effect"


def test_a_worker_killed_mid_message_leaves_no_effect_and_the_message_is_redelivered(scratch):
    """Injected: SIGKILL to the worker while its handler holds an event inside its transaction.
    Counted: effects after a second worker takes over."""
    slow = start_worker(scratch, "--hold", "30", "--name", "slow")
    try:
        time.sleep(1.5)
        [event_id] = produce(scratch, 1)
        line = slow.stdout.readline()
        assert line.startswith("holding"), line
        assert scratch.effect_counts() == (0, 0)  # the effect is not committed yet
        stop(slow, signal.SIGKILL)
    finally:
        stop(slow, signal.SIGKILL)
    fresh = start_worker(scratch, "--name", "fresh")
    try:
        wait_until(lambda: scratch.effect_counts()[0] >= 1, 30, "the message redelivered to the new worker")
        time.sleep(1.0)
    finally:
        stop(fresh)
    assert scratch.effect_counts() == (1, 1)
    with scratch.db.engine.connect() as conn:
        workers = conn.execute(sa.text(f'SELECT worker FROM "{scratch.name}".effects')).scalars().all()
    assert workers == ["fresh"] and event_id
