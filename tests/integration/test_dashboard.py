"""A service's dashboard records server errors with their request ids (in-process app, real database)."""

import json
import time

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import Blueprint

from ecars_common.app import create_service_app
from ecars_common.config import Settings
from ecars_common.db import Database
from ecars_common.tokens import ALGORITHM, AUDIENCE, ISSUER, TokenVerifier


def token(key, role: str) -> str:
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "00000000-0000-0000-0000-000000000001", "role": role,
                       "email": "s@e-cars.test", "iat": now, "exp": now + 60, "jti": "j1"}, key,
                      algorithm=ALGORITHM, headers={"kid": "k1"})


def test_server_errors_appear_on_the_dashboard_with_their_request_id(stack):
    key = Ed25519PrivateKey.generate()
    public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
    verifier = TokenVerifier(lambda refresh: {"keys": [{**public, "kid": "k1", "alg": ALGORITHM}]})
    broken = Blueprint("broken", __name__)

    @broken.get("/boom")
    def boom():
        raise RuntimeError("database password=hunter2 leaked?")  # must never reach the client

    settings = Settings(service="contracts", database_url=stack.database_url)
    db = Database(stack.database_url, "contracts")
    client = create_service_app(settings, db, [broken], {}, token_verifier=verifier,
                                counts=lambda session: {"answer": 42}).test_client()
    failed = client.get("/boom", headers={"X-Request-ID": "req-boom-12345"})
    assert failed.status_code == 500
    assert failed.json == {"error": {"code": "internal_error", "message": "Erreur interne du serveur.", "details": {}}}
    assert "hunter2" not in failed.get_data(as_text=True)
    assert client.get("/health/live").status_code == 200

    assert client.get("/dashboard", headers={"Authorization": f"Bearer {token(key, 'ars')}"}).status_code == 403
    board = client.get("/dashboard", headers={"Authorization": f"Bearer {token(key, 'support')}"}).json
    assert board["counts"] == {"answer": 42}
    [error] = board["traffic"]["recent_errors"]
    assert (error["request_id"], error["path"], error["status"], error["message"]) == (
        "req-boom-12345", "/boom", 500, "internal_error")
    assert board["traffic"]["server_errors"] == 1 and board["traffic"]["requests"] == 1
    assert board["traffic"]["error_rate"] == 1.0
    db.dispose()
