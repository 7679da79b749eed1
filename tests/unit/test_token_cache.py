"""A verified access token is remembered for a while (bench/README.md): it must still be refused as soon
as it would be without that memory — expired, its signing key withdrawn — and a forged copy never passes."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecars_common.tokens import ALGORITHM, AUDIENCE, ISSUER, InvalidToken, TokenVerifier


class Keys:
    """auth's JWKS as the verifier sees it; `published` can be emptied (a key withdrawn)."""

    def __init__(self):
        self.private = Ed25519PrivateKey.generate()
        public = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private.public_key()))
        self.published = [{**public, "kid": "k1", "alg": ALGORITHM}]

    def jwks(self, refresh: bool) -> dict:
        return {"keys": list(self.published)}

    def token(self, lifetime: int = 60, role: str = "etablissement") -> str:
        now = int(time.time())
        return jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "00000000-0000-0000-0000-000000000001",
                           "role": role, "email": "e@e-cars.test", "iat": now, "exp": now + lifetime, "jti": "j1"},
                          self.private, algorithm=ALGORITHM, headers={"kid": "k1"})


def test_the_same_token_is_answered_alike_twice():
    keys = Keys()
    verifier = TokenVerifier(keys.jwks)
    token = keys.token(role="ars")
    assert verifier.verify(token) == verifier.verify(token)
    assert verifier.verify(token).role == "ars"


def test_a_remembered_token_is_refused_once_its_key_is_withdrawn():
    keys = Keys()
    verifier = TokenVerifier(keys.jwks)
    token = keys.token()
    verifier.verify(token)
    keys.published.clear()
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_remembered_token_is_refused_once_expired():
    keys = Keys()
    verifier = TokenVerifier(keys.jwks, leeway=0)
    token = keys.token(lifetime=1)
    verifier.verify(token)
    time.sleep(1.1)  # past its expiry (not a timing assertion: the token is simply expired by then)
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_forged_copy_of_a_remembered_token_is_refused():
    keys = Keys()
    verifier = TokenVerifier(keys.jwks)
    token = keys.token()
    verifier.verify(token)
    header, claims, signature = token.split(".")
    elevated = jwt.utils.base64url_encode(json.dumps(
        {**jwt.decode(token, options={"verify_signature": False}), "role": "admin"}).encode()).decode()
    for forged in (f"{header}.{elevated}.{signature}", f"{header}.{claims}.{signature[:-4]}AAAA"):
        with pytest.raises(InvalidToken):
            verifier.verify(forged)
