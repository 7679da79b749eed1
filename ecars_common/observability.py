"""Request ids, access logs, Prometheus metrics and health endpoints for every Flask app."""

import logging
import re
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable

from flask import Blueprint, Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from ecars_common.errors import error_body
from ecars_common.logs import request_id_var

log = logging.getLogger("ecars.access")
REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RecentTraffic:
    """What this process served lately, for the support dashboard: request times and statuses over the
    last five minutes, and the server errors of those five minutes with their request ids (one window for the
    count and the list, so that they agree)."""

    WINDOW = 300

    def __init__(self):
        self.requests: deque = deque()
        self.errors: deque = deque(maxlen=20)
        self.lock = threading.Lock()

    def record(self, status: int, method: str, path: str, request_id: str, message: str = "") -> None:
        now = time.time()
        with self.lock:
            self.requests.append((now, status))
            while self.requests and self.requests[0][0] < now - self.WINDOW:
                self.requests.popleft()
            if status >= 500:
                self.errors.appendleft((now, {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                                              "status": status, "method": method, "path": path,
                                              "request_id": request_id, "message": message}))

    def summary(self) -> dict:
        with self.lock:
            cutoff = time.time() - self.WINDOW
            recent = [status for at, status in self.requests if at >= cutoff]
            errors = [error for at, error in self.errors if at >= cutoff]
        failed = sum(1 for status in recent if status >= 500)
        return {"window_seconds": self.WINDOW, "requests": len(recent),
                "requests_per_minute": round(len(recent) / (self.WINDOW / 60), 2),
                "server_errors": failed, "error_rate": round(failed / len(recent), 4) if recent else 0.0,
                "recent_errors": errors}


def new_request_id(incoming: str) -> str:
    """The request's id: the client's X-Request-ID when it is usable, else a new one."""
    return incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex


class RequestTracking:
    """One process's request metrics (Prometheus), recent traffic and access log. Fed by the Flask hooks of
    install_request_tracking and, for /api/…, by the gateway's relay (gateway/proxy.py), which runs without Flask."""

    def __init__(self, service: str):
        self.service = service
        self.registry = CollectorRegistry()
        self.requests = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request duration", ["service", "route"],
                                 registry=self.registry,
                                 buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10))
        self.traffic = RecentTraffic()
        self._series: dict[tuple, tuple] = {}  # (method, route, status) -> its counter and histogram children

    def done(self, method: str, route: str, path: str, status: int, elapsed: float, request_id: str,
             message: str = "") -> None:
        """Count and log a request answered in `elapsed` seconds; `message`: the error code of a 5xx."""
        series = self._series.get((method, route, status))
        if series is None:  # labels() costs a lock and a dozen calls: its children are kept
            series = self._series[(method, route, status)] = (
                self.requests.labels(self.service, method, route, str(status)),
                self.latency.labels(self.service, route))
        series[0].inc()
        series[1].observe(elapsed)
        if not path.startswith(("/health", "/metrics", "/dashboard")):
            self.traffic.record(status, method, path, request_id, message)
        if not path.startswith(("/health", "/metrics", "/static")):
            log.info("%s %s %s", method, path, status,
                     extra={"method": method, "path": path, "status": status, "duration_ms": round(elapsed * 1000, 2)})


def install_request_tracking(app: Flask, service: str) -> None:
    tracking = app.extensions["request_tracking"] = RequestTracking(service)
    app.extensions["metrics_registry"] = tracking.registry
    app.extensions["recent_traffic"] = tracking.traffic

    @app.before_request
    def _start():
        g.request_id = new_request_id(request.headers.get(REQUEST_ID_HEADER, ""))
        g.request_token = request_id_var.set(g.request_id)
        g.started = time.perf_counter()

    @app.after_request
    def _finish(response: Response):
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        route = request.url_rule.rule if request.url_rule else "unmatched"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        message = ""
        # A streamed body (the gateway relaying a service's answer) is not read here: it is not ours to consume.
        if response.status_code >= 500 and response.is_json and not response.is_streamed:
            message = (response.get_json(silent=True) or {}).get("error", {}).get("code", "")
        tracking.done(request.method, route, request.path, response.status_code, elapsed, g.get("request_id", ""),
                      message)
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("request_token", None)
        if token is not None:
            request_id_var.reset(token)


def health_blueprint(checks: dict[str, Callable[[], None]]) -> Blueprint:
    """/health/live (the process answers), /health/ready (every dependency answers), /metrics."""
    bp = Blueprint("health", __name__)

    @bp.get("/health/live")
    def live():
        return jsonify({"status": "ok"})

    @bp.get("/health/ready")
    def ready():
        results, failed = {}, False
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:
                failed = True
                results[name] = f"indisponible : {type(exc).__name__}"
        if failed:
            body = error_body("not_ready", "Une dépendance du service ne répond pas.", results)
            return jsonify(body), 503
        return jsonify({"status": "ok", "checks": results})

    @bp.get("/metrics")
    def metrics():
        from flask import current_app

        registry = current_app.extensions["metrics_registry"]
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)

    return bp
