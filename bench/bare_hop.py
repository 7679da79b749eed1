"""The plain baseline of the gateway bench: one Python proxy hop and nothing else — a bare WSGI app that
sends each request on to BARE_HOP_UPSTREAM (e.g. http://127.0.0.1:15182) with a pooled httpx client, as the
issue's reference figure (« one Python proxy hop (pooled httpx) adds ≈ 0.8 ms ») was measured, and hands
back the answer. No routing, no token check, no logs, no metrics. Served by the same gunicorn settings as the
gateway (bench/gateway_bench.py starts it)."""

import os

import httpx

UPSTREAM = os.environ.get("BARE_HOP_UPSTREAM", "http://127.0.0.1:8000")
client = httpx.Client(base_url=UPSTREAM, limits=httpx.Limits(max_keepalive_connections=32))


def app(environ, start_response):
    answer = client.request(environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"))
    start_response(f"{answer.status_code} {answer.reason_phrase}",
                   [("Content-Type", answer.headers.get("Content-Type", "")),
                    ("Content-Length", str(len(answer.content)))])
    return [answer.content]
