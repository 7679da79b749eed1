"""The gateway's pooled HTTP client to the services, shared by the API proxy and the web UI."""

import httpx
from flask import current_app, g, request

from ecars_common.errors import ApiError


def edge_address() -> str:
    """The caller's address. The gateway is the public entry: it never trusts an X-Forwarded-For sent
    by the client (with ECARS_TRUSTED_PROXIES set, ProxyFix corrects remote_addr from the proxies')."""
    return request.remote_addr or ""


def make_client(config) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(connect=config.connect_timeout, read=config.read_timeout,
                              write=config.read_timeout, pool=5.0),
        # gunicorn closes idle keep-alive connections after 2 s: drop ours sooner, or a request can be sent
        # on a connection the service is closing (a rare 502 seen under load)
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32, keepalive_expiry=1.0),
        follow_redirects=False,
    )


def base_url(service: str) -> str:
    upstreams = current_app.config["SETTINGS"].upstreams()
    if service not in upstreams:
        raise ApiError(404, "unknown_service", f"Aucun service « {service} ».", {"service": service})
    return upstreams[service]


def send(service: str, request: httpx.Request, stream: bool = False) -> httpx.Response:
    """Send to a service; an unreachable service is a 502, a silent one a 504, both as JSON errors."""
    try:
        return current_app.extensions["http_client"].send(request, stream=stream)
    except httpx.TimeoutException:
        raise ApiError(504, "upstream_timeout", f"Le service « {service} » n'a pas répondu à temps.",
                       {"service": service})
    except httpx.TransportError:
        raise ApiError(502, "upstream_unavailable", f"Le service « {service} » est indisponible.",
                       {"service": service})


def call(service: str, method: str, path: str, json=None, client_address: str = "",
         token: str | None = None) -> httpx.Response:
    """A plain (non-streamed) call made on behalf of the web UI; `token`: the signed-in user's access token."""
    client: httpx.Client = current_app.extensions["http_client"]
    headers = {"X-Request-ID": g.request_id}
    headers["X-Forwarded-For"] = edge_address()  # never the client's own X-Forwarded-For
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return send(service, client.build_request(method, f"{base_url(service)}{path}", json=json, headers=headers))
