import gc

from flask import Flask, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from ecars_common import revocations
from ecars_common.db import Database, connection_name
from ecars_common.errors import register_error_handlers
from ecars_common.logs import configure_logging
from ecars_common.observability import health_blueprint, install_request_tracking
from ecars_common.tokens import TokenVerifier, http_jwks
from gateway import csrf, proxy, upstream
from gateway.auth_sessions import background_closer
from gateway.config import Config
from gateway.ui import (
    accessibility,
    account,
    backoffice,
    campaign_dashboard,
    campaign_list,
    campaigns,
    contract_history,
    contracts,
    cpom,
    cpom_fiches,
    cpom_journal,
    entry,
    habilitations,
    home,
    identity,
    messages,
    pages,
    restricted,
    session_time,
    support,
)
from gateway.web_sessions import ServerSessions

# Only over TLS (ECARS_SECURE_COOKIES): two years, as the HSTS preload list asks (ASVS 5.0 3.4.1).
HSTS = "max-age=63072000; includeSubDomains"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# The web UI's areas (gateway/ui/), each a blueprint of pages.
AREAS = (identity, account, session_time, home, contracts, contract_history, entry, restricted, campaign_list,
         campaigns, campaign_dashboard, cpom, cpom_fiches, cpom_journal, messages, habilitations, support, backoffice,
         accessibility)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    configure_logging("gateway", config.log_level)
    app = Flask(__name__, static_folder=None)
    app.config.update(SETTINGS=config, SECRET_KEY=config.secret_key, TESTING=config.testing)
    app.json.ensure_ascii = False
    app.extensions["upstreams"] = config.upstreams()
    app.extensions["http_client"] = upstream.make_client(config)
    app.extensions["relay_pools"] = upstream.make_relay_pools(config)
    app.extensions["token_verifier"] = verifier = TokenVerifier(
        http_jwks(f"{config.service_url('auth')}/.well-known/jwks.json"), revocations=revocations.from_auth(config))
    db = Database(config.database_url, config.schema, application_name=connection_name(config.schema))
    app.extensions["db"] = db
    app.session_interface = ServerSessions(db, verifier.revocations, config.session_idle_seconds,
                                           config.session_absolute_seconds, config.secure_cookies,
                                           on_timed_out=background_closer(config.service_url("auth")))
    install_request_tracking(app, "gateway")
    # /api/<service>/<path> is relayed in front of Flask (gateway/proxy.py), inside ProxyFix: it sees the
    # caller's address as Flask does.
    headers = {**SECURITY_HEADERS, **({"Strict-Transport-Security": HSTS} if config.secure_cookies else {})}
    app.wsgi_app = proxy.ApiRelay(app, app.wsgi_app, headers)
    if config.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies)
    register_error_handlers(app, render_page=pages.error_page)
    app.register_blueprint(health_blueprint({"database": db.ping}))
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
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response

    gc.freeze()  # as the services do (ecars_common/app.py): what start-up loaded stays out of full collections
    return app
