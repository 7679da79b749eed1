"""RabbitMQ connection helpers shared by the relay, the consumer and the readiness check.

`ECARS_AMQP_URL` names one broker or, comma-separated, the nodes of a cluster
(`amqp://u:p@rabbit-1:5672/ecars,amqp://u:p@rabbit-2:5672/ecars,…`): `connect` opens a connection to the first
node of the list that answers, starting at a random one so that a service's processes spread over the nodes, and
the relay and the consumer, whose connection drops with its node, reconnect through it to a live one
(docs/reliability.md « A cluster node killed »)."""

import asyncio
import logging
import random
import socket
from collections.abc import Awaitable, Callable
from contextlib import suppress
from urllib.parse import urlparse

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

log = logging.getLogger(__name__)


async def keep_connected(what: str, connected: Callable[[asyncio.Event], Awaitable[None]], stop: asyncio.Event):
    """Run `connected(stop)` until `stop` is set; when the broker or the database goes away, wait
    (exponential backoff, at most 5 s) and run it again."""
    delay = 0.2
    while not stop.is_set():
        try:
            await connected(stop)
            delay = 0.2
        except Exception as exc:
            log.warning("%s interrupted, retrying in %.1fs: %s", what, delay, exc)
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            delay = min(delay * 2, 5.0)


def broker_urls(amqp_url: str) -> list[str]:
    """The broker URLs of the setting: one, or several separated by commas (blanks around them ignored)."""
    urls = [url.strip() for url in amqp_url.split(",") if url.strip()]
    if not urls:
        raise ValueError("ECARS_AMQP_URL names no broker")
    return urls


async def connect(amqp_url: str, timeout: float = 5) -> AbstractConnection:
    """A connection to the first broker of `amqp_url` that accepts one, trying each once from a random start;
    the last failure is raised if none does."""
    urls = broker_urls(amqp_url)
    start = random.randrange(len(urls))  # noqa: S311 (spreading load, not a secret)
    failure: Exception | None = None
    for url in urls[start:] + urls[:start]:
        try:
            return await aio_pika.connect(url, timeout=timeout)
        except Exception as exc:  # refused, unreachable, timed out, or a node still starting
            if len(urls) > 1:
                log.info("broker %s unavailable (%s), trying the next", urlparse(url).hostname, exc)
            failure = exc
    raise failure


async def declare_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


def ping(amqp_url: str, timeout: float = 2.0) -> None:
    """Cheap readiness probe from synchronous code: one broker of the setting answers the AMQP 0-9-1 protocol
    header with a Connection.Start method frame (a cluster is reachable while one of its nodes is)."""
    failure: Exception | None = None
    for url in broker_urls(amqp_url):
        try:
            return _ping_one(url, timeout)
        except OSError as exc:
            failure = exc
    raise failure


def _ping_one(amqp_url: str, timeout: float) -> None:
    url = urlparse(amqp_url)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 5672), timeout=timeout) as sock:
        sock.sendall(b"AMQP\x00\x00\x09\x01")
        frame = sock.recv(7)
        # frame type 1 (method), channel 0
        if len(frame) < 7 or frame[0] != 1 or frame[1:3] != b"\x00\x00":
            raise ConnectionError("the broker did not answer with Connection.Start")


def pg_dsn(sqlalchemy_url: str) -> str:
    """SQLAlchemy's URL as plain psycopg wants it."""
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)
