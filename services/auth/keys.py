"""The auth service's signing keys (Ed25519), kept in its schema; the public halves form the JWKS.

Production injects the key through ECARS_AUTH_SIGNING_KEY (PEM); without it a key is generated at
`migrate` and kept in the database, which is enough for a single deployment."""

import json
import secrets
import time
import uuid
from functools import cached_property

import jwt
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecars_common.db import Database
from ecars_common.tokens import ALGORITHM, AUDIENCE, ISSUER, TOKEN_TYPE, Identity
from services.auth.orm import signing_keys


def ensure_signing_key(db: Database) -> None:
    with db.session() as session:
        if session.execute(sa.select(sa.func.count()).select_from(signing_keys)).scalar_one() == 0:
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode()
            session.execute(signing_keys.insert().values(kid=uuid.uuid4().hex[:16], private_pem=pem))


class KeyRing:
    def __init__(self, db: Database, access_token_seconds: int):
        self.db = db
        self.access_token_seconds = access_token_seconds

    @cached_property
    def _keys(self) -> list[tuple[str, Ed25519PrivateKey]]:
        with self.db.session() as session:
            rows = session.execute(sa.select(signing_keys).order_by(signing_keys.c.created_at.desc())).all()
        if not rows:
            raise RuntimeError("no signing key: run `python -m services.auth migrate`")
        return [(row.kid, serialization.load_pem_private_key(row.private_pem.encode(), None)) for row in rows]

    def jwks(self, refresh: bool = False) -> dict:
        keys = []
        for kid, private in self._keys:
            jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key()))
            keys.append({**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"})
        return {"keys": keys}

    def issue(self, identity: Identity, not_before_ms: int = 0) -> str:
        """`not_before_ms`: the user's « not before » (epoch milliseconds); the token is never issued before it, or
        it would be refused (services/auth/sessions.py). `iat_ms`, a private claim, is when it was issued to the
        millisecond, `iat` its whole second (ecars_common/revocations.py compares `iat_ms`)."""
        kid, private = self._keys[0]
        issued_ms = max(time.time_ns() // 1_000_000, not_before_ms)
        now = issued_ms // 1000
        claims = {
            "iss": ISSUER, "aud": AUDIENCE, "sub": identity.user_id, "email": identity.email, "role": identity.role,
            "region": identity.region, "departement": identity.departement, "sid": identity.session_id,
            "iat": now, "iat_ms": issued_ms, "exp": now + self.access_token_seconds, "jti": secrets.token_hex(12),
        }
        return jwt.encode(claims, private, algorithm=ALGORITHM, headers={"kid": kid, "typ": TOKEN_TYPE})
