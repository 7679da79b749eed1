"""The gateway, with real processes: routing to the six services, request ids, streamed bodies of 100 MB in
bounded memory, JSON errors when a service is down or silent, security headers of the web UI.

The stack's gateway serves the routing tests; for the rest this module starts its own gateways (gunicorn,
one worker) pointed at a stand-in upstream (tests/support/echo_upstream.py), a closed port and a socket
that accepts and never answers. The stack's own processes are never stopped."""

import hashlib
import json
import re
import socket
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from deploy.localstack import port_open, wait_for
from ecars_common.config import SERVICES
from tests.support.echo_upstream import payload, payload_sha256
from tests.support.identity import active_user, bearer, sign_in

MB = 1024 * 1024
BIG = 100 * MB
RSS_LIMIT_KB = 100 * 1024
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    """Processes whose parent is `pid`, from /proc/*/stat (the ppid is the 2nd field after the name)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def peak_rss_kb(pid: int) -> int:
    """VmHWM: the highest resident set size the process ever had, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmHWM for {pid}")


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


class Gateway:
    """A gateway of our own: gunicorn, one gthread worker, with the stack's environment and some overrides."""

    def __init__(self, stack, name: str, **env):
        self.stack, self.name = stack, name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = stack.spawn(name, [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
            "--worker-class", "gthread", "--threads", "4", "--no-control-socket", "gateway.wsgi:app",
        ], env={**stack.env(), **env})

    def wait_ready(self) -> None:
        def alive():
            if self.process.poll() is not None:
                log = (self.stack.log_dir / f"{self.name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{log}")

        wait_for(lambda: answers(self.url + "/health/live"), self.name, timeout=30, check=alive)

    def worker_pid(self) -> int:
        [pid] = children_of(self.process.pid)
        return pid


@pytest.fixture(scope="module")
def auth(stack, gateway) -> dict:
    """A signed-in user: everything but health and sign-in routes needs an access token."""
    return bearer(sign_in(gateway, active_user(stack)[0]))


@pytest.fixture(scope="module")
def echo(stack):
    name, port = "test-echo-upstream", free_port()
    process = stack.spawn(name, [sys.executable, "-m", "tests.support.echo_upstream", str(port)])
    try:
        wait_for(lambda: port_open(port), "echo upstream", timeout=15,
                 check=lambda: process.poll() is None or pytest.fail("echo upstream exited"))
        yield f"http://127.0.0.1:{port}"
    finally:
        stack.stop(name)


@pytest.fixture(scope="module")
def silent_port():
    """A port that accepts connections (the kernel does, up to the backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield sock.getsockname()[1]


@pytest.fixture(scope="module")
def gateways(stack, echo, silent_port):
    """Two gateways, started together: `streaming` sends reporting to the echo upstream; `faulty` sends
    documents to a closed port and cpom to the silent socket, with a read timeout of 1 s."""
    closed_port = free_port()
    started = {}
    try:
        started["streaming"] = Gateway(stack, "test-gateway-streaming", ECARS_REPORTING_URL=echo)
        started["faulty"] = Gateway(stack, "test-gateway-faulty", ECARS_REPORTING_URL=echo,
                                    ECARS_DOCUMENTS_URL=f"http://127.0.0.1:{closed_port}",
                                    ECARS_CPOM_URL=f"http://127.0.0.1:{silent_port}",
                                    ECARS_GATEWAY_READ_TIMEOUT="1")
        for gateway in started.values():
            gateway.wait_ready()
        yield started
    finally:
        for gateway in started.values():
            stack.stop(gateway.name)


# -- the six services, through the stack's gateway ------------------------------------------------------

@pytest.mark.parametrize("service", SERVICES)
def test_every_service_is_ready_through_the_gateway(gateway, service):
    answer = httpx.get(f"{gateway}/api/{service}/health/ready", timeout=10)

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok" and body["checks"]["broker"] == "ok"
    if service == "documents":
        assert body["checks"]["s3"] == "ok"
    if service == "notifications":
        assert body["checks"]["smtp"] == "ok"


def test_query_string_and_method_reach_the_service(gateway):
    live = httpx.get(f"{gateway}/api/auth/health/live?x=1&y=%C3%A9")
    assert live.status_code == 200 and live.json() == {"status": "ok"}

    wrong_method = httpx.post(f"{gateway}/api/auth/health/live", json={})
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"].startswith("application/json")
    error = wrong_method.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert error["message"] == "Méthode non autorisée pour cette ressource." and error["details"] == {}
    assert "GET" in wrong_method.headers["allow"]

    not_relayed = httpx.request("PROPFIND", f"{gateway}/api/auth/health/live")  # a method the relay never sends
    assert not_relayed.status_code == 405 and not_relayed.json()["error"]["code"] == "method_not_allowed"
    assert set(not_relayed.headers["allow"].split(", ")) == {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
    assert GENERATED_ID.match(not_relayed.headers["x-request-id"])


def test_unknown_service_is_a_json_404(gateway):
    for path in ("/api/nope/health/ready", "/api/nope/"):
        answer = httpx.post(gateway + path, content=b"{}")
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json()["error"] == {"code": "unknown_service", "message": "Aucun service « nope ».",
                                          "details": {"service": "nope"}}


def _log_lines(stack, name: str) -> list[dict]:
    lines = []
    for line in (stack.log_dir / f"{name}.log").read_text(errors="replace").splitlines():
        if line.startswith("{"):
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue
    return lines


def _wait_for_log(stack, name: str, request_id: str) -> list[dict]:
    wait_for(lambda: any(e.get("request_id") == request_id for e in _log_lines(stack, name)),
             f"request {request_id} in {name}.log", timeout=10)
    return [e for e in _log_lines(stack, name) if e.get("request_id") == request_id]


def test_the_client_request_id_comes_back_and_is_in_the_service_log(gateway, stack):
    request_id = f"e2e-{uuid.uuid4().hex}"

    answer = httpx.get(f"{gateway}/api/auth/password-reset/code", headers={"X-Request-ID": request_id})

    assert answer.status_code == 405 and answer.json()["error"]["code"] == "method_not_allowed"
    assert answer.headers["x-request-id"] == request_id
    [service_entry] = _wait_for_log(stack, "auth", request_id)
    assert service_entry["service"] == "auth"
    assert (service_entry["method"], service_entry["path"], service_entry["status"]) == \
        ("GET", "/password-reset/code", 405)
    gateway_entries = _wait_for_log(stack, "gateway", request_id)
    assert [e["path"] for e in gateway_entries] == ["/api/auth/password-reset/code"]


def test_a_request_without_a_usable_id_gets_a_generated_one_passed_on_to_the_service(gateway, stack):
    without = httpx.get(f"{gateway}/api/auth/password-reset/code")
    request_id = without.headers["x-request-id"]
    assert GENERATED_ID.match(request_id)
    [entry] = _wait_for_log(stack, "auth", request_id)
    assert entry["path"] == "/password-reset/code"

    for unusable in ("court", "avec des espaces", "un,deux,trois", "x" * 65):
        answer = httpx.get(f"{gateway}/api/auth/health/live", headers={"X-Request-ID": unusable})
        assert answer.status_code == 200
        assert GENERATED_ID.match(answer.headers["x-request-id"]), unusable
    two = [httpx.get(f"{gateway}/api/auth/health/live").headers["x-request-id"] for _ in range(2)]
    assert two[0] != two[1]


def _api_requests_counted(gateway: str, status: int) -> float:
    """The gateway's http_requests_total for GET /api/<service>/<path:path> answered with `status`."""
    line = ('http_requests_total{method="GET",route="/api/<service>/<path:path>",service="gateway",'
            f'status="{status}"}} ')
    found = [x for x in httpx.get(f"{gateway}/metrics").text.splitlines() if x.startswith(line)]
    return float(found[0].split()[-1]) if found else 0.0


def test_api_requests_are_counted_in_the_gateway_metrics(gateway):
    ok, refused = _api_requests_counted(gateway, 200), _api_requests_counted(gateway, 401)
    for _ in range(3):
        assert httpx.get(f"{gateway}/api/auth/health/live").status_code == 200
    assert httpx.get(f"{gateway}/api/contracts/contracts").status_code == 401
    assert _api_requests_counted(gateway, 200) == ok + 3  # the stack's gateway has one worker
    assert _api_requests_counted(gateway, 401) == refused + 1


# -- what the gateway passes on, against the echo upstream ---------------------------------------------

def test_methods_paths_queries_and_headers_pass_through(gateways, echo, auth):
    url = gateways["streaming"].url
    query = "x=1&y=%C3%A9&x=2&flag&a+b=c%20d"  # passed on as sent: order, repeats, encoding
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        answer = httpx.request(method, f"{url}/api/reporting/echo/a/b%20c?{query}",
                               headers={"X-Request-ID": "e2e-echo-123", "X-Client-Note": "bonjour", **auth},
                               content=b"12345" if method in ("POST", "PUT", "PATCH") else None)
        assert answer.status_code == 200, method
        seen = answer.json()
        assert (seen["method"], seen["path"], seen["query"]) == (method, "/echo/a/b%20c", query)
        assert seen["bytes"] == (5 if method in ("POST", "PUT", "PATCH") else 0)
        assert seen["headers"]["x-request-id"] == "e2e-echo-123"
        assert seen["headers"]["x-client-note"] == "bonjour"
        assert seen["headers"]["x-forwarded-for"] == "127.0.0.1"
        assert seen["headers"]["host"] == echo.removeprefix("http://")
        assert answer.headers["x-request-id"] == "e2e-echo-123"

    created = httpx.post(f"{url}/api/reporting/echo?status=201", content=b"x", headers=auth)
    assert created.status_code == 201 and created.json()["bytes"] == 1


def test_every_api_answer_carries_the_security_headers_and_its_request_id(gateways, auth):
    url = gateways["streaming"].url
    answers = {
        "small": httpx.get(f"{url}/api/reporting/echo", headers=auth),
        "streamed": httpx.get(f"{url}/api/reporting/download?size={MB}", headers=auth),
        "head": httpx.head(f"{url}/api/reporting/echo", headers=auth),
        "no content": httpx.delete(f"{url}/api/reporting/echo?status=204", headers=auth),
        "not modified": httpx.get(f"{url}/api/reporting/echo?status=304", headers=auth),
        "refused": httpx.get(f"{url}/api/reporting/echo"),
        "unknown service": httpx.get(f"{url}/api/nope/x"),
    }
    for name, answer in answers.items():
        assert answer.headers["x-content-type-options"] == "nosniff", name
        assert answer.headers["x-frame-options"] == "DENY", name
        assert answer.headers["referrer-policy"] == "same-origin", name
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], name
        assert GENERATED_ID.match(answer.headers["x-request-id"]), name
    assert len(answers["streamed"].content) == MB
    assert answers["refused"].json()["error"]["code"] == "authentication_required"


def test_bodiless_answers_do_not_leak_upstream_connections(gateways, auth):
    """HEAD requests and 204 answers have no body to stream: their upstream connection must still go back
    to the pool (64 connections), else the 65th such request would wait for one and fail."""
    url = gateways["streaming"].url
    with httpx.Client(timeout=15, headers=auth) as client:
        for i in range(40):
            head = client.head(f"{url}/api/reporting/echo?i={i}")
            assert head.status_code == 200 and head.content == b"", i
            empty = client.delete(f"{url}/api/reporting/echo?status=204&i={i}")
            assert empty.status_code == 204 and empty.content == b"", i
        assert client.get(f"{url}/api/reporting/echo").json()["method"] == "GET"


# -- 100 MB each way, in bounded memory -----------------------------------------------------------------

def test_100_mb_stream_up_and_down_in_bounded_memory(gateways, auth):
    streaming = gateways["streaming"]
    worker = streaming.worker_pid()
    before = peak_rss_kb(worker)

    uploaded = httpx.post(f"{streaming.url}/api/reporting/upload", content=payload(BIG, chunk=MB),
                          headers={"Content-Length": str(BIG), "Content-Type": "application/octet-stream", **auth},
                          timeout=60)
    assert uploaded.status_code == 200
    assert uploaded.json() == {"bytes": BIG, "sha256": payload_sha256(BIG), "chunked": False}
    after_upload = peak_rss_kb(worker)

    digest, received = hashlib.sha256(), 0
    with httpx.stream("GET", f"{streaming.url}/api/reporting/download?size={BIG}", headers=auth,
                      timeout=60) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-length"] == str(BIG)
        assert answer.headers["content-type"] == "application/octet-stream"
        for piece in answer.iter_bytes():
            digest.update(piece)
            received += len(piece)
    assert received == BIG
    assert digest.hexdigest() == payload_sha256(BIG)

    assert streaming.worker_pid() == worker  # the same worker did both, it was not restarted
    peak = peak_rss_kb(worker)
    print(f"\ngateway worker peak RSS (VmHWM): before {before} kB, after upload {after_upload} kB, "
          f"after download {peak} kB")
    assert peak < RSS_LIMIT_KB, f"peak RSS {peak} kB (before the transfers: {before} kB)"


def test_a_chunked_upload_without_length_is_streamed_too(gateways, auth):
    size = 5 * MB + 3
    uploaded = httpx.post(f"{gateways['streaming'].url}/api/reporting/upload", content=payload(size), headers=auth,
                          timeout=30)
    assert uploaded.status_code == 200
    assert uploaded.json() == {"bytes": size, "sha256": payload_sha256(size), "chunked": True}


# -- a service down or silent -----------------------------------------------------------------------------

def test_a_service_that_cannot_be_reached_is_a_json_502(gateways):
    url = gateways["faulty"].url
    for method, body in (("GET", None), ("POST", b'{"a": 1}' * 1000)):
        answer = httpx.request(method, f"{url}/api/documents/health/ready", content=body, timeout=10)
        assert answer.status_code == 502, method
        assert answer.headers["content-type"].startswith("application/json")
        assert GENERATED_ID.match(answer.headers["x-request-id"])
        assert answer.json() == {"error": {"code": "upstream_unavailable",
                                           "message": "Le service « documents » est indisponible.",
                                           "details": {"service": "documents"}}}
    # the other services are still served by the same gateway
    assert httpx.get(f"{url}/api/auth/health/ready", timeout=10).status_code == 200


def test_a_service_that_never_answers_is_a_json_504_after_the_read_timeout(gateways, auth):
    url = gateways["faulty"].url
    started = time.monotonic()
    answer = httpx.get(f"{url}/api/cpom/health/ready", timeout=30)
    elapsed = time.monotonic() - started

    assert answer.status_code == 504
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.json() == {"error": {"code": "upstream_timeout",
                                       "message": "Le service « cpom » n'a pas répondu à temps.",
                                       "details": {"service": "cpom"}}}
    assert elapsed < 15  # ECARS_GATEWAY_READ_TIMEOUT=1, not the default minute
    assert httpx.get(f"{url}/api/reporting/echo", headers=auth, timeout=10).status_code == 200


# -- the web UI -------------------------------------------------------------------------------------------

def test_web_pages_carry_the_security_headers_and_the_dsfr_is_served(gateway):
    page = httpx.get(f"{gateway}/connexion")

    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"
    assert 'href="/static/dsfr/dsfr.min.css"' in page.text

    css = httpx.get(f"{gateway}/static/dsfr/dsfr.min.css")
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert ".fr-btn" in css.text and len(css.content) > 100_000
    assert css.headers["x-content-type-options"] == "nosniff"

    api = httpx.get(f"{gateway}/api/auth/health/live")
    assert api.headers["x-content-type-options"] == "nosniff"
