"""The Flask app factory every service builds on."""

import gc
from collections.abc import Callable, Iterable

import httpx
from flask import Blueprint, Flask, current_app

from ecars_common import amqp, dashboard, delegation, openapi, revocations
from ecars_common.config import Settings
from ecars_common.db import Database
from ecars_common.errors import register_error_handlers
from ecars_common.logs import configure_logging
from ecars_common.observability import health_blueprint, install_request_tracking
from ecars_common.tokens import TokenVerifier, http_jwks


def unit_of_work():
    """The request's unit of work: `with unit_of_work() as session:` — one transaction of the service's database."""
    return current_app.extensions["db"].session()


def settings():
    """The service's settings (its Config), as create_service_app stored them."""
    return current_app.config["SETTINGS"]


def create_service_app(
    settings: Settings,
    db: Database,
    blueprints: Iterable[Blueprint],
    openapi_document: dict,
    extra_checks: dict[str, Callable[[], None]] | None = None,
    token_verifier: TokenVerifier | None = None,
    counts: Callable | None = None,
) -> Flask:
    """`openapi_document`: the service's description (services/<service>/openapi.py), served at /openapi.json.
    `counts(session) -> dict`: the service's key figures for its support dashboard."""
    configure_logging(settings.service, settings.log_level)
    app = Flask(f"ecars.{settings.service}")
    app.config["SETTINGS"] = settings
    app.config["TESTING"] = settings.testing
    app.json.ensure_ascii = False
    app.extensions["db"] = db
    app.extensions["token_verifier"] = token_verifier or TokenVerifier(
        http_jwks(f"{settings.service_url('auth')}/.well-known/jwks.json"), revocations=revocations.from_auth(settings)
    )
    app.extensions["http_client"] = httpx.Client(timeout=delegation.TIMEOUT)  # asking other services as the caller
    install_request_tracking(app, settings.service)
    register_error_handlers(app, database=True)
    checks = {"database": db.ping, "broker": lambda: amqp.ping(settings.amqp_url), **(extra_checks or {})}
    app.extensions["ready_checks"] = checks
    app.register_blueprint(health_blueprint(checks))
    app.register_blueprint(dashboard.blueprint(counts))
    app.register_blueprint(openapi.blueprint(openapi_document))
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # What is loaded at start-up lives as long as the process: keep it out of the garbage collector's
    # full passes, which otherwise pause a worker for tens of milliseconds (bench/README.md).
    gc.freeze()
    return app
