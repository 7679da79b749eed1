"""python -m backoffice tail [--count N] [--timeout S] [--queue NAME]

Prints each event of the back-office queue as one JSON line (type, version, CPOM or contract, and the
whole envelope), then acknowledges it. An event that is not valid JSON is rejected to the queue's
dead-letter queue. Stops after --count events, or after --timeout seconds without one."""

import argparse
import asyncio
import contextlib
import json
import os
import sys

import aio_pika

QUEUE = "backoffice.transmissions"


async def connect(amqp_url: str):
    """The first node that answers of ECARS_AMQP_URL (one URL, or a cluster's, comma-separated)."""
    urls = [url.strip() for url in amqp_url.split(",") if url.strip()]
    for url in urls[:-1]:
        with contextlib.suppress(Exception):
            return await aio_pika.connect(url, timeout=10)
    return await aio_pika.connect(urls[-1], timeout=10)


async def tail(amqp_url: str, queue_name: str, count: int | None, timeout: float | None, out=sys.stdout) -> int:
    connection = await connect(amqp_url)
    seen = 0
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=10)
        # passive: the platform declares the queue (with its dead-letter arguments); we only read it
        queue = await channel.declare_queue(queue_name, passive=True)
        async with queue.iterator() as messages:
            while count is None or seen < count:
                try:
                    message = await asyncio.wait_for(messages.__anext__(), timeout=timeout)
                except (TimeoutError, StopAsyncIteration):
                    break
                try:
                    event = json.loads(message.body)
                except ValueError:
                    await message.reject(requeue=False)  # → backoffice.transmissions.dead
                    continue
                data = event.get("data", {})
                line = {"type": event.get("type"), "version": event.get("version"), "id": event.get("id"),
                        "occurred_at": event.get("occurred_at"),
                        "subject": data.get("cpom_id") or data.get("contract_id"), "event": event}
                print(json.dumps(line, ensure_ascii=False), file=out, flush=True)
                await message.ack()
                seen += 1
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m backoffice")
    parser.add_argument("command", choices=["tail"])
    parser.add_argument("--count", type=int, help="stop after this many events")
    parser.add_argument("--timeout", type=float, help="stop after this many seconds without an event")
    parser.add_argument("--queue", default=os.environ.get("ECARS_QUEUE_PREFIX", "") + QUEUE)
    parser.add_argument("--amqp-url", default=os.environ.get("ECARS_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"))
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(tail(args.amqp_url, args.queue, args.count, args.timeout))


if __name__ == "__main__":
    main()
