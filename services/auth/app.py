from flask import Flask

from ecars_common.app import create_service_app
from ecars_common.db import Database
from ecars_common.tokens import TokenVerifier
from services.auth.api import bp
from services.auth.config import Config
from services.auth.keys import KeyRing


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    keyring = KeyRing(db, config.access_token_seconds)
    # auth checks its own tokens with its own keys, not over HTTP
    app = create_service_app(config, db, [bp], token_verifier=TokenVerifier(keyring.jwks))
    app.extensions["keyring"] = keyring
    return app
