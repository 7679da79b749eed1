import gc

from flask import Flask, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from ecars_common import revocations
from ecars_common.errors import register_error_handlers
from ecars_common.logs import configure_logging
from ecars_common.observability import health_blueprint, install_request_tracking
from ecars_common.tokens import TokenVerifier, http_jwks
from gateway import csrf, proxy, upstream
from gateway.config import Config
from gateway.ui import (
    accessibility,
    backoffice,
    campaigns,
    contracts,
    cpom,
    cpom_fiches,
    habilitations,
    home,
    identity,
    pages,
    support,
)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# The web UI's areas (gateway/ui/), each a blueprint of pages.
AREAS = (identity, home, contracts, campaigns, cpom, cpom_fiches, habilitations, support, backoffice, accessibility)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    configure_logging("gateway", config.log_level)
    app = Flask(__name__, static_folder=None)
    app.config.update(
        SETTINGS=config, SECRET_KEY=config.secret_key, TESTING=config.testing,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=config.secure_cookies,
        SESSION_COOKIE_NAME="ecars_session",
    )
    app.json.ensure_ascii = False
    app.extensions["upstreams"] = config.upstreams()
    app.extensions["http_client"] = upstream.make_client(config)
    app.extensions["relay_pools"] = upstream.make_relay_pools(config)
    app.extensions["token_verifier"] = TokenVerifier(http_jwks(f"{config.service_url('auth')}/.well-known/jwks.json"),
                                                     revocations=revocations.from_auth(config))
    install_request_tracking(app, "gateway")
    # /api/<service>/<path> is relayed in front of Flask (gateway/proxy.py), inside ProxyFix: it sees the
    # caller's address as Flask does.
    app.wsgi_app = proxy.ApiRelay(app, app.wsgi_app, SECURITY_HEADERS)
    if config.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies)
    register_error_handlers(app, render_page=pages.error_page)
    app.register_blueprint(health_blueprint({}))
    proxy.register_redirects(app)
    for area in AREAS:
        app.register_blueprint(area.bp)
    app.context_processor(pages.signed_in_user)
    app.jinja_env.globals["csrf_token"] = csrf.token
    app.jinja_env.globals["tutorials_url"] = config.tutorials_url

    @app.get("/static/dsfr/<path:filename>")
    def dsfr(filename: str):
        return send_from_directory(config.dsfr_dist, filename, max_age=86400)

    @app.get("/static/<path:filename>")
    def static(filename: str):
        return send_from_directory(app.root_path + "/static", filename, max_age=3600)

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    gc.freeze()  # as the services do (ecars_common/app.py): what start-up loaded stays out of full collections
    return app
