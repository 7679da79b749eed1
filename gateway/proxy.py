"""/api/<service>/<path>: the streamed reverse proxy to the services, a WSGI layer in front of Flask.

It is the gateway's hot path, so it runs without Flask's request context, routing and hooks, and answers as
the Flask app did: the same request id, access checks, JSON errors, security headers, metrics, recent traffic
and access log (ecars_common/observability.py). Bodies are never held in memory: the request body is read
from the WSGI input in chunks and sent upstream as it comes; the answer is streamed back the same way."""

import json
import time
from urllib.parse import quote

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.http import HTTP_STATUS_CODES, is_entity_header
from werkzeug.urls import iri_to_uri
from werkzeug.wsgi import get_content_length, get_input_stream

from ecars_common import errors, roles
from ecars_common.errors import ApiError, error_body, http_error
from ecars_common.logs import request_id_var
from ecars_common.numbers import whole_number
from ecars_common.observability import new_request_id
from ecars_common.tokens import identity_of
from gateway import upstream

CHUNK = 1024 * 1024  # 1 MiB: measured faster than 256 KiB for big downloads (bench/README.md), memory stays flat
SMALL = 64 * 1024  # an answer of known length up to this is read whole and sent in one write, not streamed
# Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus Host.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
              "transfer-encoding", "upgrade", "host"}
# The gateway sets these two itself: the client's are dropped (WSGI spells "X-Request-Id" whatever the case the
# client used; two X-Request-ID headers would reach the service as one invalid "a, a").
NOT_PASSED_ON = {"HTTP_" + name.upper().replace("-", "_") for name in HOP_BY_HOP | {"x-request-id", "x-forwarded-for"}}
NOT_RETURNED = HOP_BY_HOP | {"x-request-id"}
PATH_SAFE = "/:@!$&'()*+,;="  # RFC 3986 pchar and "/": kept as they are
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
NO_BODY = {204, 304}  # and 1xx: answers without a body, as HEAD's

# What an anonymous caller may reach; everything else needs a valid access token, checked here
# before the request leaves the gateway (and checked again by the service).
PUBLIC = {
    "auth": ("login", "password-reset/", "token/refresh", ".well-known/jwks.json", "password-policy"),
}
PUBLIC_EVERYWHERE = ("health/live", "health/ready", "openapi.json")
SUPPORT_ONLY = ("metrics", "dashboard")


def check_access(verifier, service: str, path: str, authorization: str) -> None:
    if path.startswith(PUBLIC_EVERYWHERE) or path.startswith(PUBLIC.get(service, ())):
        return
    identity = identity_of(verifier, authorization)  # 401 without a valid token
    if path.startswith(SUPPORT_ONLY) and identity.role not in roles.SUPPORT_ROLES:
        raise ApiError(403, "forbidden", "Réservé à l'équipe support.")


def _chunks(stream):
    while chunk := stream.read(CHUNK):
        yield chunk


class _Streamed:
    """An answer's body, streamed; the server calls close() when done or when the client went away, which gives
    the upstream connection back (a generator's `finally` would not run if it was never started)."""

    def __init__(self, answer):
        self.answer = answer

    def __iter__(self):
        return self.answer.stream(CHUNK, decode_content=False)

    def close(self) -> None:
        upstream.release(self.answer)


def _json_error(error: ApiError, *headers: tuple[str, str]) -> tuple[int, list, list]:
    # as Flask's jsonify (sorted keys, non-ASCII kept, compact, a final newline)
    data = (json.dumps(error_body(error.code, error.message, error.details), ensure_ascii=False,
                       separators=(",", ":"), sort_keys=True) + "\n").encode()
    return error.status, [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *headers], [data]


def register_redirects(app) -> None:
    """The /api/ URLs the relay leaves to Flask keep the answers of its routing: /api/<service> a 308 to
    /api/<service>/, /api/<service>//… a 308 to the URL with its slashes merged. The view never runs: any
    URL it would match is the relay's."""
    def never(service: str, path: str = ""):
        raise NotFound()

    app.add_url_rule("/api/<service>/", "api", never, defaults={"path": ""}, methods=METHODS)
    app.add_url_rule("/api/<service>/<path:path>", "api", never, methods=METHODS)


class ApiRelay:
    """WSGI middleware: relays /api/<service>/<path> itself, hands every other request to `wsgi_app` (Flask).
    `headers` are set on every answer that does not already carry them (the security headers)."""

    def __init__(self, app, wsgi_app, headers: dict[str, str]):
        self.wsgi_app = wsgi_app
        self.upstreams = app.extensions["upstreams"]
        self.pools = app.extensions["relay_pools"]
        self.verifier = app.extensions["token_verifier"]
        self.tracking = app.extensions["request_tracking"]
        self.headers = list(headers.items())

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/api/"):
            return self.wsgi_app(environ, start_response)
        path = path.encode("latin-1").decode(errors="replace")  # as werkzeug decodes it
        service, slash, rest = path[5:].partition("/")
        if not service or not slash or rest.startswith("/"):
            return self.wsgi_app(environ, start_response)  # see register_redirects
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET").upper()
        request_id = new_request_id(environ.get("HTTP_X_REQUEST_ID", ""))
        context = request_id_var.set(request_id)
        route = "/api/<service>/<path:path>" if rest else "/api/<service>/"
        try:
            try:
                if method not in METHODS:  # as Flask's routing did, before anything else
                    route = "unmatched"
                    status, headers, body = _json_error(http_error(MethodNotAllowed()), ("Allow", ", ".join(METHODS)))
                else:
                    status, headers, body = self.relay(environ, method, service, rest, request_id)
            except ApiError as exc:
                status, headers, body = _json_error(exc)
            except HTTPException as exc:  # werkzeug's, e.g. a client gone in the middle of its upload
                status, headers, body = _json_error(http_error(exc))
            except Exception:
                errors.log.exception("unhandled error")  # with the request id; never a stack trace to the client
                status, headers, body = _json_error(ApiError(500, "internal_error", errors.HTTP_MESSAGES[500]))
            # a server error's code, for the recent traffic (a streamed body is not read: it is not ours to consume)
            message = _error_code(headers, body) if status >= 500 and isinstance(body, list) else ""
            present = {name.lower() for name, _ in headers}
            headers += [(name, value) for name, value in self.headers if name.lower() not in present]
            headers.append(("X-Request-ID", request_id))
            start_response(f"{status} {HTTP_STATUS_CODES.get(status, 'unknown').upper()}", headers)
            self.tracking.done(method, route, path, status, time.perf_counter() - started, request_id, message)
            return body
        finally:
            request_id_var.reset(context)

    def relay(self, environ, method: str, service: str, path: str, request_id: str):
        """The service's answer: status, headers and body (an iterable)."""
        if service not in self.upstreams:
            raise upstream.unknown_service(service)
        # `path` is percent-decoded: encoded again, or a %3F, %23 or control character in an id would change
        # the URL sent (or make it invalid).
        target = f"/{quote(path, safe=PATH_SAFE)}"
        check_access(self.verifier, service, path, environ.get("HTTP_AUTHORIZATION", ""))
        if query := environ.get("QUERY_STRING"):  # verbatim: order, repeated keys and encoding as the client sent them
            target += "?" + query
        headers = {}
        for key, value in environ.items():  # the client's headers, named as werkzeug names them
            if key.startswith("HTTP_"):
                if key not in NOT_PASSED_ON and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                    headers[key[5:].replace("_", "-").title()] = value
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                headers[key.replace("_", "-").title()] = value
        headers["X-Request-ID"] = request_id
        headers["X-Forwarded-For"] = environ.get("REMOTE_ADDR") or ""  # set by ProxyFix with trusted proxies
        chunked = environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
        body = _chunks(get_input_stream(environ)) if chunked or get_content_length(environ) else None
        answer = upstream.relay(self.pools[service], service, method, target, headers, body=body, chunked=chunked)
        try:
            return self.answer(method, answer)
        except BaseException:
            upstream.release(answer)
            raise

    @staticmethod
    def answer(method: str, answer):
        """The service's answer as Flask's Response gave it: its headers but the hop-by-hop ones, a Content-Type
        (text/html if it had none), none of the entity headers of a 304, no Content-Length on a 1xx or 204."""
        status = answer.status
        headers, has_type, length = [], False, ""
        for name, value in answer.headers.items():
            lower = name.lower()
            if lower in NOT_RETURNED:
                continue
            if lower == "content-type":
                has_type = True
            elif lower == "content-length":
                length = value
                if status == 204 or status < 200:
                    continue
            elif lower in ("location", "content-location"):
                value = iri_to_uri(value)
            headers.append((name, value))
        if not has_type:
            headers.append(("Content-Type", "text/html; charset=utf-8"))
        if status == 304:
            headers = [(name, value) for name, value in headers
                       if not is_entity_header(name) or name.lower() in ("expires", "content-location")]
        if method == "HEAD" or status in NO_BODY or status < 200:
            upstream.release(answer)  # nothing to read: the connection goes back to the pool now
            return status, headers, []
        if whole_number(length, 0, SMALL) is not None:
            try:
                data = answer.read(decode_content=False)
            finally:
                upstream.release(answer)
            return status, headers, [data]
        return status, headers, _Streamed(answer)


def _error_code(headers: list, body: list) -> str:
    """The code of a JSON error answer (for the recent traffic's server errors), else ""."""
    mimetype = next((value for name, value in headers if name.lower() == "content-type"), "")
    mimetype = mimetype.split(";")[0].strip().lower()
    if mimetype != "application/json" and not (mimetype.startswith("application/") and mimetype.endswith("+json")):
        return ""
    try:
        return json.loads(b"".join(body))["error"]["code"]
    except (ValueError, TypeError, KeyError):
        return ""
