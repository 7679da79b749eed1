"""A real 3-node RabbitMQ cluster, killed (issue 15, item 5). The test starts its own cluster on loopback from the
machine's rabbitmq-server (tests/support/rabbit_cluster.py: its own node names, ports, epmd, data and cookie; the
shared broker on 5672 is not touched), runs the platform's outbox relay and consumer against it with ECARS_AMQP_URL
listing the three nodes (tests/support/cluster_worker.py), commits 1,000 events while `kill -9` takes down the node
that leads the service's quorum queue, and starts that node again. The checker (tests/support/cluster_checker.py)
compares every outbox row, confirm, delivery and effect: nothing lost, nothing doubled. Then the same with two
workers of one service competing for the queue. The figures are printed (`-s`) and given in docs/reliability.md."""

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.conftest import SLOT
from tests.support.cluster_checker import History
from tests.support.rabbit_cluster import RabbitCluster
from tests.support.scratch import Scratch, produce, wait_until

pytestmark = [pytest.mark.cluster, pytest.mark.timeout(900)]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EVENTS = 1000


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = RabbitCluster(tmp_path_factory.mktemp("rabbit-cluster"), SLOT)
    try:
        started = time.monotonic()
        cluster.up()
        print(f"\n3-node cluster up in {time.monotonic() - started:.1f}s: {cluster.amqp_url}")
        yield cluster
    finally:
        cluster.down()


@pytest.fixture
def scratch(stack, cluster):
    scratch = Scratch(stack.database_url, amqp_url=cluster.amqp_url)
    yield scratch
    scratch.drop()


def start_worker(scratch: Scratch, cluster: RabbitCluster, name: str, log_dir) -> subprocess.Popen:
    with open(log_dir / f"{name}.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.support.cluster_worker", scratch.settings.database_url, scratch.name,
             scratch.settings.exchange, "--name", name],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": ROOT, "ECARS_AMQP_URL": cluster.amqp_url},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def kill_the_leader_while_events_flow(cluster: RabbitCluster, scratch: Scratch, workers: list[str],
                                      log_dir) -> dict:
    """Workers `workers` relay and consume; 1,000 events committed (5 per transaction, for ~30 s); once a quarter
    have an effect, kill -9 of the node leading the service queue; 5 s later that node is started again. Returns
    the checker's figures once every event has an effect and the node is back in the queue's members."""
    history = History(scratch)
    queue = f"{scratch.name}.events"
    processes = [start_worker(scratch, cluster, name, log_dir) for name in workers]
    produced: list[str] = []
    producer = threading.Thread(target=lambda: produced.extend(produce(scratch, EVENTS, 5, 0.1)))
    try:
        wait_until(lambda: _leader(cluster, queue, cluster.nodes) is not None, 60, "the workers declared the queue")
        producer.start()
        wait_until(lambda: history.effects()[1] >= EVENTS // 4, 120, "a quarter of the events handled")
        leader = cluster.node(_leader(cluster, queue, cluster.nodes))
        others = [node for node in cluster.nodes if node is not leader]
        effects_at_kill = history.effects()[1]
        killed_at = time.time()
        cluster.kill(leader)
        wait_until(lambda: _leader(cluster, queue, others) not in (None, leader.name), 60, "a new leader elected")
        elected_after = time.time() - killed_at  # an upper bound: rabbitmqctl takes seconds on a busy machine
        time.sleep(max(0.0, 5 - (time.time() - killed_at)))
        cluster.start(leader)
        restarted_after = time.time() - killed_at
        producer.join(timeout=180)
        wait_until(lambda: history.effects()[1] >= EVENTS, 180, "every event handled")
        wait_until(lambda: leader.name in cluster.queue_members(queue, others[0])[1], 120,
                   "the restarted node back among the queue's members")
        drained_after = time.time() - killed_at
        time.sleep(2.0)  # a duplicate would show now
    finally:
        for process in processes:
            stop(process)
        if producer.is_alive():
            producer.join(timeout=180)
    figures = history.figures(killed_at)
    figures |= {"workers": workers, "killed": leader.name, "new_leader": _leader(cluster, queue, others),
                "effects_when_killed": effects_at_kill, "new_leader_seen_after_s": round(elected_after, 1),
                "node_restarted_after_s": round(restarted_after, 1), "all_handled_after_s": round(drained_after, 1),
                "reconnections": sum((log_dir / f"{name}.log").read_text().count("interrupted, retrying")
                                     for name in workers)}
    print("\ncluster checker: " + json.dumps(figures))
    assert len(produced) == EVENTS and figures["events"] == EVENTS
    return figures


def _leader(cluster: RabbitCluster, queue: str, asking: list) -> str | None:
    for node in asking:
        try:
            leader = cluster.queue_members(queue, node)[0]
        except (LookupError, RuntimeError, subprocess.TimeoutExpired):
            continue
        return leader or None
    return None


def test_the_node_leading_the_queue_killed_while_1000_events_flow_loses_and_doubles_nothing(cluster, scratch,
                                                                                           tmp_path):
    figures = kill_the_leader_while_events_flow(cluster, scratch, ["worker"], tmp_path)
    assert figures["effects_when_killed"] < EVENTS, "the node was killed while events were still flowing"
    assert figures["new_leader"] != figures["killed"]
    assert figures["unsent"] == 0 and figures["confirmed_events"] == EVENTS, "every outbox row confirmed"
    assert figures["lost"] == 0 and figures["confirmed_then_lost"] == 0, "no event without its effect"
    assert figures["duplicated"] == 0 and figures["effects_without_event"] == 0, "no event with two effects"
    assert figures["effects"] == EVENTS


def test_two_workers_competing_for_the_queue_through_the_kill_lose_and_double_nothing(cluster, scratch, tmp_path):
    figures = kill_the_leader_while_events_flow(cluster, scratch, ["worker-1", "worker-2"], tmp_path)
    assert figures["effects_when_killed"] < EVENTS
    assert set(figures["effects_by_worker"]) == {"worker-1", "worker-2"}, "both workers took messages"
    assert figures["unsent"] == 0 and figures["confirmed_events"] == EVENTS
    assert figures["lost"] == 0 and figures["confirmed_then_lost"] == 0
    assert figures["duplicated"] == 0 and figures["effects_without_event"] == 0
    assert figures["effects"] == EVENTS
