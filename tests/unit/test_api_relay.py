"""The gateway's API relay (gateway/proxy.py, a WSGI layer in front of Flask), in this process: the gateway app
through Flask's test client, every service pointed at the stand-in upstream (tests/support/echo_upstream.py) run
in a thread, documents at a closed port, and access tokens signed by a key of the test's own."""

import hashlib
import io
import json
import logging
import socket
import threading
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecars_common.config import SERVICES
from ecars_common.logs import JsonFormatter, request_id_var
from ecars_common.tokens import ALGORITHM, AUDIENCE, ISSUER
from gateway import upstream
from tests.support.echo_upstream import Handler, Server, payload, payload_sha256

MB = 1024 * 1024
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")
API_ROUTE = "/api/<service>/<path:path>"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Keys:
    """auth's signing key and JWKS, as the gateway's token verifier sees them."""

    def __init__(self):
        self.private = Ed25519PrivateKey.generate()
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private.public_key()))
        self.jwks = {"keys": [{**public, "kid": "k1", "alg": ALGORITHM}]}

    def bearer(self, role: str = "etablissement") -> dict:
        now = int(time.time())
        token = jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "00000000-0000-0000-0000-000000000001",
                            "role": role, "email": "e@e-cars.test", "iat": now, "exp": now + 600, "jti": role},
                           self.private, algorithm=ALGORITHM, headers={"kid": "k1"})
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def echo():
    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def keys():
    return Keys()


@pytest.fixture(scope="module")
def app(echo, keys):
    import gateway.app

    with pytest.MonkeyPatch.context() as patch:
        for service in SERVICES:
            patch.setenv(f"ECARS_{service.upper()}_URL", echo)
        patch.setenv("ECARS_DOCUMENTS_URL", f"http://127.0.0.1:{free_port()}")  # nobody listens there
        patch.setattr(gateway.app, "http_jwks", lambda url: lambda refresh: keys.jwks)
        yield gateway.app.create_app()


@pytest.fixture
def client(app):
    return app.test_client()


def idle(app, service: str = "reporting") -> bool:
    """Every connection taken from the service's pool was given back to it."""
    pool = app.extensions["relay_pools"][service].pool
    return pool.qsize() == pool.maxsize


def counted(client, method: str, route: str, status: int) -> float:
    """http_requests_total of the gateway for this method, route and status, from its /metrics."""
    line = (f'http_requests_total{{method="{method}",route="{route}",service="gateway",status="{status}"}} ')
    found = [x for x in client.get("/metrics").text.splitlines() if x.startswith(line)]
    return float(found[0].split()[-1]) if found else 0.0


def test_a_method_the_relay_does_not_serve_is_a_json_405_with_allow(client):
    for path in ("/api/reporting/echo", "/api/nope/x"):
        answer = client.open(path, method="PROPFIND")
        assert answer.status_code == 405, path
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.json == {"error": {"code": "method_not_allowed", "details": {},
                                         "message": "Méthode non autorisée pour cette ressource."}}
        assert set(answer.headers["Allow"].split(", ")) == {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
                                                            "OPTIONS"}
        assert all(name in answer.headers for name in SECURITY_HEADERS)
    assert counted(client, "PROPFIND", "unmatched", 405) == 2


def test_bad_requests_get_clear_json_errors(client, keys):
    cases = [
        ("/api/nope/x", {}, 404, "unknown_service"),
        ("/api/reporting/echo", {}, 401, "authentication_required"),
        ("/api/reporting/echo", {"Authorization": "Bearer pas-un-jeton"}, 401, "invalid_token"),
        ("/api/reporting/metrics", keys.bearer("ars"), 403, "forbidden"),
        ("/api/documents/health/live", {}, 502, "upstream_unavailable"),
    ]
    for path, headers, status, code in cases:
        answer = client.post(path, headers=headers, data=b'{"a": 1}')
        assert (answer.status_code, answer.json["error"]["code"]) == (status, code), path
        assert answer.headers["Content-Type"] == "application/json"
        assert all(name in answer.headers for name in SECURITY_HEADERS)
    assert client.get("/api/reporting/echo", headers={"Authorization": "Bearer x"}).json["error"]["details"] == \
        {"reason": "malformed token: Not enough segments"}
    assert client.get("/api/nope/x").json["error"]["message"] == "Aucun service « nope »."


def test_anonymous_routes_are_relayed_without_a_token(client, keys):
    for path in ("/api/reporting/health/live", "/api/auth/login", "/api/auth/password-reset/x"):
        anonymous = client.get(path)
        assert anonymous.status_code == 404 and anonymous.json["error"]["code"] == "not_found", path  # the upstream's
    assert client.get("/api/reporting/metrics", headers=keys.bearer("support")).json["error"]["message"] == "/metrics"


def test_the_request_id_is_kept_when_usable_and_made_up_otherwise(client, keys):
    kept = client.get("/api/reporting/echo", headers={"X-Request-ID": "client-id-1234", **keys.bearer()})
    assert kept.headers["X-Request-ID"] == "client-id-1234"
    assert kept.json["headers"]["x-request-id"] == "client-id-1234"

    for unusable in ("court", "avec des espaces", "x" * 65):
        made_up = client.get("/api/reporting/echo", headers={"X-Request-ID": unusable, **keys.bearer()})
        request_id = made_up.headers["X-Request-ID"]
        assert len(request_id) == 32 and request_id != unusable
        assert made_up.json["headers"]["x-request-id"] == request_id  # the service is told the same one


def test_the_client_cannot_set_the_forwarded_address_and_hop_by_hop_headers_stay(client, keys):
    answer = client.get("/api/reporting/echo/a/b%20c%3F?x=1&x=2&y=%C3%A9",
                        headers={"X-Forwarded-For": "6.6.6.6", "Te": "trailers", "X-Note": "bonjour", **keys.bearer()},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    seen = answer.json
    assert (seen["path"], seen["query"]) == ("/echo/a/b%20c%3F", "x=1&x=2&y=%C3%A9")
    assert seen["headers"]["x-forwarded-for"] == "10.1.2.3"
    assert seen["headers"]["x-note"] == "bonjour"
    assert "te" not in seen["headers"]
    assert all(name in answer.headers for name in SECURITY_HEADERS)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_answers_without_a_body_and_abandoned_streams_give_their_connection_back(app, client, keys):
    auth = keys.bearer()
    for i in range(50):
        head = client.head(f"/api/reporting/echo?i={i}", headers=auth)
        assert head.status_code == 200 and head.data == b"" and int(head.headers["Content-Length"]) > 0
        empty = client.delete(f"/api/reporting/echo?status=204&i={i}", headers=auth)
        assert empty.status_code == 204 and empty.data == b"" and "Content-Length" not in empty.headers
        assert idle(app), i
    assert app.extensions["relay_pools"]["reporting"].num_connections <= 2  # reused, not one per request

    streamed = client.get(f"/api/reporting/download?size={5 * MB}", headers=auth, buffered=False)
    assert streamed.status_code == 200
    assert len(next(iter(streamed.response))) > 0
    assert not idle(app)  # being read
    streamed.close()  # the client went away
    assert idle(app)
    assert client.get("/api/reporting/echo", headers=auth).json["method"] == "GET"


def test_large_bodies_are_streamed_both_ways(app, client, keys):
    size = 3 * MB + 5
    for chunked in (False, True):
        environ = {"wsgi.input_terminated": True} if chunked else {}
        headers = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(size)}
        uploaded = client.post("/api/reporting/upload", input_stream=io.BytesIO(b"".join(payload(size))),
                               headers={**headers, **keys.bearer()}, environ_base=environ)
        assert uploaded.json == {"bytes": size, "sha256": payload_sha256(size), "chunked": chunked}

    downloaded = client.get(f"/api/reporting/download?size={size}", headers=keys.bearer(), buffered=False)
    assert downloaded.headers["Content-Length"] == str(size)
    pieces = list(downloaded.response)
    downloaded.close()
    assert max(len(piece) for piece in pieces) <= MB and len(pieces) > 1  # streamed, not read whole
    assert hashlib.sha256(b"".join(pieces)).hexdigest() == payload_sha256(size)
    assert idle(app)


class JsonLines(logging.Handler):
    """A logger's entries as the JSON log prints them, formatted when logged (the request id is known then)."""

    def __init__(self, name: str):
        super().__init__()
        self.setFormatter(JsonFormatter("gateway"))
        self.logger, self.lines = logging.getLogger(name), []

    def emit(self, record) -> None:
        self.lines.append(json.loads(self.format(record)))

    def __enter__(self):
        self.logger.addHandler(self)
        self.level, self.logger.level = self.logger.level, logging.INFO
        return self.lines

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
        self.logger.level = self.level


def test_metrics_recent_traffic_and_access_log_count_api_requests(app, client, keys):
    before = counted(client, "GET", API_ROUTE, 200)
    with JsonLines("ecars.access") as lines:
        client.get("/api/reporting/echo", headers={"X-Request-ID": "metrics-req-1", **keys.bearer()})
        client.get("/api/documents/x", headers={"X-Request-ID": "metrics-req-2", **keys.bearer()})
    assert counted(client, "GET", API_ROUTE, 200) == before + 1
    assert counted(client, "GET", API_ROUTE, 502) >= 1
    entry = next(x for x in lines if x.get("request_id") == "metrics-req-1")
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/reporting/echo", 200)
    assert entry["duration_ms"] >= 0
    [error] = [e for e in app.extensions["recent_traffic"].summary()["recent_errors"]
               if e["request_id"] == "metrics-req-2"]
    assert (error["status"], error["path"], error["message"]) == (502, "/api/documents/x", "upstream_unavailable")


def test_an_unexpected_failure_is_a_logged_json_500(client, keys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(upstream, "relay", broken)
    with JsonLines("ecars_common.errors") as lines:
        answer = client.get("/api/reporting/echo", headers={"X-Request-ID": "broken-req-1", **keys.bearer()})
    assert answer.status_code == 500
    assert answer.json == {"error": {"code": "internal_error", "details": {}, "message": "Erreur interne du serveur."}}
    assert answer.headers["X-Request-ID"] == "broken-req-1"
    [entry] = lines
    assert (entry["message"], entry["request_id"]) == ("unhandled error", "broken-req-1")
    assert "RuntimeError: boom" in entry["exception"]
    assert request_id_var.get() is None  # reset after the request


def test_other_urls_are_left_to_flask(client):
    assert client.get("/health/live").json == {"status": "ok"}
    redirected = client.get("/api/reporting?x=1")
    assert redirected.status_code == 308 and redirected.headers["Location"].endswith("/api/reporting/?x=1")
    merged = client.get("/api/reporting//echo")
    assert merged.status_code == 308 and merged.headers["Location"].endswith("/api/reporting/echo")
    assert client.get("/api/").json["error"]["code"] == "not_found"
