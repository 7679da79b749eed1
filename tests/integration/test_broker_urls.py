"""ECARS_AMQP_URL naming several brokers (a cluster's nodes, comma-separated): the connection goes to one that answers,
and the readiness check is ready while one does (ecars_common.amqp). Against the machine's broker, the other
addresses being ports nothing listens on (a node that is down). The cluster itself:
tests/reliability/test_cluster.py."""

import asyncio
import socket

import pytest

from ecars_common import amqp

BROKER = "amqp://guest:guest@127.0.0.1:5672/"


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}/"


def test_several_urls_connect_to_the_node_that_answers_whichever_comes_first():
    down = closed_port()

    async def server_port(url: str) -> int:
        connection = await amqp.connect(url, timeout=3)
        try:
            return connection.url.port
        finally:
            await connection.close()

    for setting in (f"{down},{BROKER}", f"{BROKER} , {down}", f" {down} ,, {BROKER},"):
        for _ in range(4):  # the first node tried is drawn at random
            assert asyncio.run(server_port(setting)) == 5672
        amqp.ping(setting)


def test_no_node_answering_is_an_error_and_an_empty_setting_is_refused():
    down = f"{closed_port()},{closed_port()}"
    with pytest.raises(OSError):
        asyncio.run(amqp.connect(down, timeout=2))
    with pytest.raises(OSError):
        amqp.ping(down)
    for empty in ("", " , ,"):
        with pytest.raises(ValueError, match="names no broker"):
            amqp.broker_urls(empty)
