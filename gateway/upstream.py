"""The gateway's pooled HTTP clients to the services: urllib3 pools for the API relay (its hot path,
gateway/proxy.py), an httpx client for the web UI's calls."""

import time

import httpx
import urllib3
from flask import current_app, g, request

from ecars_common.errors import ApiError


def edge_address() -> str:
    """The caller's address. The gateway is the public entry: it never trusts an X-Forwarded-For sent
    by the client (with ECARS_TRUSTED_PROXIES set, ProxyFix corrects remote_addr from the proxies')."""
    return request.remote_addr or ""


# gunicorn closes a keep-alive connection idle for 2 s: drop ours sooner, or a request can be sent on a
# connection the service is closing at that moment (a rare 502 seen under load).
KEEPALIVE_EXPIRY = 1.0


class RelayPool(urllib3.HTTPConnectionPool):
    """urllib3's pool, plus httpx's keep-alive expiry: a connection idle for KEEPALIVE_EXPIRY is closed
    when taken, and the request goes on a new one (urllib3 alone only notices connections already closed)."""

    def _put_conn(self, conn) -> None:
        if conn is not None:
            conn.idle_since = time.monotonic()
        super()._put_conn(conn)

    def _get_conn(self, timeout=None):
        conn = super()._get_conn(timeout)
        if conn is not None and time.monotonic() - getattr(conn, "idle_since", 0.0) > KEEPALIVE_EXPIRY:
            conn.close()  # reconnects on its next request
        return conn


def make_client(config) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(connect=config.connect_timeout, read=config.read_timeout,
                              write=config.read_timeout, pool=5.0),
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=KEEPALIVE_EXPIRY),
        follow_redirects=False,
    )


def make_relay_pools(config) -> dict[str, urllib3.HTTPConnectionPool]:
    """One keep-alive connection pool per service for the API relay. urllib3 rather than httpx there: it
    takes half the CPU per request (~0.2 ms less, bench/README.md)."""
    timeout = urllib3.Timeout(connect=config.connect_timeout, read=config.read_timeout)
    pools = {}
    for name, url in config.upstreams().items():
        parsed = urllib3.util.parse_url(url)
        if parsed.scheme != "http":
            pools[name] = urllib3.connection_from_url(url, maxsize=32, block=False, timeout=timeout, retries=False)
        else:
            pools[name] = RelayPool(parsed.host, parsed.port or 80, maxsize=32, block=False, timeout=timeout,
                                    retries=False)
    return pools


def unknown_service(service: str) -> ApiError:
    return ApiError(404, "unknown_service", f"Aucun service « {service} ».", {"service": service})


def base_url(service: str) -> str:
    upstreams = current_app.extensions["upstreams"]
    if service not in upstreams:
        raise unknown_service(service)
    return upstreams[service]


def unavailable(service: str) -> ApiError:
    return ApiError(502, "upstream_unavailable", f"Le service « {service} » est indisponible.", {"service": service})


def timed_out(service: str) -> ApiError:
    return ApiError(504, "upstream_timeout", f"Le service « {service} » n'a pas répondu à temps.",
                    {"service": service})


def relay(pool: urllib3.HTTPConnectionPool, service: str, method: str, target: str, headers: dict, body=None,
          chunked: bool = False) -> urllib3.BaseHTTPResponse:
    """Send a request of the API relay (`target`: path and query) to a service over its pool (one of
    make_relay_pools'); its answer is left unread:
    stream it with answer.stream(), then release(answer) (release_conn=True would put the connection back
    in the pool at once, for another thread to use while this answer is still being read). An unreachable
    service is a 502, a silent one a 504, both as JSON errors."""
    try:
        return pool.urlopen(
            method, target, body=body, headers=headers, chunked=chunked, retries=False, redirect=False,
            assert_same_host=False, preload_content=False, decode_content=False, release_conn=False)
    except urllib3.exceptions.NewConnectionError:  # a subclass of ConnectTimeoutError, but refused is not late
        raise unavailable(service) from None
    except urllib3.exceptions.TimeoutError:
        raise timed_out(service) from None
    except urllib3.exceptions.HTTPError:
        raise unavailable(service) from None


def release(answer: urllib3.BaseHTTPResponse) -> None:
    """Give the answer's connection back to the pool. Read to its end, it already is; an answer without a
    body (HEAD, 204, 304) is completed first; one left half-read (the client went away) is closed, since
    nobody will read the rest, then handed back (the pool opens a new connection in its place)."""
    if answer.connection is not None and answer.length_remaining == 0:
        answer.read()
    if answer.connection is not None:
        answer.close()
        answer.release_conn()


def send(service: str, request: httpx.Request, stream: bool = False) -> httpx.Response:
    """Send to a service; an unreachable service is a 502, a silent one a 504, both as JSON errors."""
    try:
        return current_app.extensions["http_client"].send(request, stream=stream)
    except httpx.TimeoutException:
        raise timed_out(service) from None
    except httpx.TransportError:
        raise unavailable(service) from None


def call(service: str, method: str, path: str, json=None, headers: dict | None = None) -> httpx.Response:
    """A plain (non-streamed) call without a token, made by the web UI (signing in, renewing a password); the
    signed-in person's calls go through gateway/ui/session.py."""
    client: httpx.Client = current_app.extensions["http_client"]
    sent = {**(headers or {}), "X-Request-ID": g.request_id}
    sent["X-Forwarded-For"] = edge_address()  # never the client's own X-Forwarded-For
    return send(service, client.build_request(method, f"{base_url(service)}{path}", json=json, headers=sent))
