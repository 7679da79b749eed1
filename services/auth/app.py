import sqlalchemy as sa
from flask import Flask

from ecars_common.app import create_service_app
from ecars_common.db import Database
from ecars_common.tokens import TokenVerifier
from services.auth import openapi
from services.auth.api import bp
from services.auth.config import Config
from services.auth.keys import KeyRing


def key_counts(session) -> dict:
    row = session.execute(sa.text(
        "SELECT (SELECT count(*) FROM auth.users) AS users, "
        "(SELECT count(*) FROM auth.users WHERE must_reset_password) AS awaiting_first_login, "
        "(SELECT count(*) FROM auth.login_throttle WHERE key LIKE 'account:%' AND locked_until > now()) "
        "AS accounts_locked, "
        "(SELECT count(*) FROM auth.login_throttle WHERE key LIKE 'address:%' AND locked_until > now()) "
        "AS addresses_locked, "
        "(SELECT count(*) FROM auth.audit_log WHERE action = 'login.failed' AND at > now() - interval '1 hour') "
        "AS failed_logins_last_hour")).one()
    return dict(row._mapping)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    keyring = KeyRing(db, config.access_token_seconds)
    # auth checks its own tokens with its own keys, not over HTTP
    app = create_service_app(config, db, [bp], openapi.DOCUMENT, token_verifier=TokenVerifier(keyring.jwks),
                             counts=key_counts)
    app.extensions["keyring"] = keyring
    return app
