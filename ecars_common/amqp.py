"""RabbitMQ connection helpers shared by the relay, the consumer and the readiness check."""

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable
from contextlib import suppress
from urllib.parse import urlparse

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

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


async def declare_exchange(channel: AbstractChannel, name: str) -> AbstractExchange:
    return await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)


def ping(amqp_url: str, timeout: float = 2.0) -> None:
    """Cheap readiness probe from synchronous code: open a TCP connection and check that the peer
    answers the AMQP 0-9-1 protocol header with a Connection.Start method frame."""
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
