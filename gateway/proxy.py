"""/api/<service>/<path>: streamed reverse proxy to the services over pooled HTTP connections.

Bodies are never held in memory: the request body is read from the WSGI input in chunks and sent
upstream as it comes; the response is streamed back the same way."""

from urllib.parse import quote

from flask import Blueprint, Response, g, request

from ecars_common.errors import ApiError
from ecars_common.tokens import current_identity
from gateway import upstream

CHUNK = 1024 * 1024  # 1 MiB: measured faster than 256 KiB for big downloads (bench/README.md), memory stays flat
SMALL = 64 * 1024  # an answer of known length up to this is read whole and sent in one write, not streamed
# Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus Host.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "host"}
PATH_SAFE = "/:@!$&'()*+,;="  # RFC 3986 pchar and "/": kept as they are
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

# What an anonymous caller may reach; everything else needs a valid access token, checked here
# before the request leaves the gateway (and checked again by the service).
PUBLIC = {
    "auth": ("login", "password-reset/", "token/refresh", ".well-known/jwks.json", "password-policy"),
}
PUBLIC_EVERYWHERE = ("health/live", "health/ready", "openapi.json")
SUPPORT_ONLY = ("metrics", "dashboard")

bp = Blueprint("proxy", __name__)


def check_access(service: str, path: str) -> None:
    if path.startswith(PUBLIC_EVERYWHERE) or path.startswith(PUBLIC.get(service, ())):
        return
    identity = current_identity()  # 401 JSON without a valid token
    if path.startswith(SUPPORT_ONLY) and identity.role not in ("support", "admin"):
        raise ApiError(403, "forbidden", "Réservé à l'équipe support.")


def _request_body():
    stream = request.stream
    while chunk := stream.read(CHUNK):
        yield chunk


@bp.route("/api/<service>/", defaults={"path": ""}, methods=METHODS)
@bp.route("/api/<service>/<path:path>", methods=METHODS)
def api(service: str, path: str):
    # `path` arrives percent-decoded: encoded again, or a %3F, %23 or control character in an id would change
    # the URL sent (or make it invalid, a 500). An unknown service is a 404 before anything else.
    upstream.base_url(service)
    target = f"/{quote(path, safe=PATH_SAFE)}"
    check_access(service, path)
    if request.query_string:  # verbatim: order, repeated keys and encoding as the client sent them
        target += "?" + request.query_string.decode("latin-1")
    # The gateway sets these two itself; WSGI spells the client's "X-Request-Id", so drop it whatever its case
    # (two X-Request-ID headers reach the service as one invalid "a, a" and the service makes up a new id).
    headers = {k: v for k, v in request.headers.items()
               if k.lower() not in HOP_BY_HOP and k.lower() not in ("x-request-id", "x-forwarded-for")}
    headers["X-Request-ID"] = g.request_id
    headers["X-Forwarded-For"] = upstream.edge_address()
    chunked = request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    has_body = request.content_length or chunked
    answer = upstream.relay(service, request.method, target, headers,
                            body=_request_body() if has_body else None, chunked=bool(chunked and has_body))

    response_headers = [(k, v) for k, v in answer.headers.items()
                        if k.lower() not in HOP_BY_HOP and k.lower() != "x-request-id"]
    length = answer.headers.get("Content-Length", "")
    if request.method != "HEAD" and length.isdigit() and int(length) <= SMALL:
        try:
            data = answer.read(decode_content=False)
        finally:
            upstream.release(answer)
        return Response(data, status=answer.status, headers=response_headers)

    def body():
        try:
            yield from answer.stream(CHUNK, decode_content=False)
        finally:
            upstream.release(answer)

    response = Response(body(), status=answer.status, headers=response_headers, direct_passthrough=True)
    # For HEAD, 1xx, 204 and 304 the server is handed an empty body and body() never runs: release the
    # upstream connection when the response is closed, or the pool runs dry.
    response.call_on_close(lambda: upstream.release(answer))
    return response
