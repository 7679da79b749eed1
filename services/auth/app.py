import sqlalchemy as sa
from flask import Flask

from ecars_common.app import create_service_app
from ecars_common.db import Database
from ecars_common.revocations import Revocations
from ecars_common.tokens import TokenVerifier
from services.auth import openapi, sessions
from services.auth.api import bp
from services.auth.api_accounts import bp as accounts_bp
from services.auth.api_sessions import bp as sessions_bp
from services.auth.api_snapshot import bp as snapshot_bp
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
        "(SELECT count(*) FROM auth.login_throttle WHERE key LIKE 'pair:%' AND next_attempt_at > now()) "
        "AS accounts_slowed_from_an_address, "
        # a flood's failures are one audit row with a count (services/auth/throttle.py)
        "(SELECT coalesce(sum(coalesce((details->>'count')::int, 1)), 0) FROM auth.audit_log "
        "WHERE action = 'login.failed' AND at > now() - interval '1 hour') AS failed_logins_last_hour, "
        "(SELECT count(*) FROM auth.sessions WHERE ended_at IS NULL AND last_used_at > now() - interval '1 day') "
        "AS sessions_used_last_day")).one()
    return dict(row._mapping)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    keyring = KeyRing(db, config.access_token_seconds)

    def revocations_feed(since: float | None) -> dict:
        with db.session() as session:
            return sessions.feed(session, since, config.revocation_keep_seconds)

    # auth checks its own tokens with its own keys and its own revocations, not over HTTP
    verifier = TokenVerifier(keyring.jwks, revocations=Revocations(revocations_feed, config.revocation_poll_seconds))
    app = create_service_app(config, db, [bp, sessions_bp, accounts_bp, snapshot_bp], openapi.DOCUMENT,
                             token_verifier=verifier, counts=key_counts)
    app.extensions["keyring"] = keyring
    return app
