"""A verified access token is remembered for a while (bench/README.md): it must still be refused as soon
as it would be without that memory — expired, its signing key withdrawn, revoked by auth — and a forged copy
never passes."""

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ecars_common.revocations import Revocations, key_of
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


class Feed:
    """auth's token revocations as a verifier polls them."""

    def __init__(self):
        self.items: list[dict] = []
        self.fail = False

    def __call__(self, since):
        if self.fail:
            raise ConnectionError("auth unreachable")
        return {"as_of": time.time(), "keep_seconds": 960, "items": list(self.items)}


def sign(keys: Keys, iat: int, sid: str = "s1", iat_ms: int | None = None) -> str:
    precise = {} if iat_ms is None else {"iat_ms": iat_ms}
    return jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "00000000-0000-0000-0000-000000000001",
                       "role": "etablissement", "iat": iat, "exp": iat + 600, "jti": f"j{iat}{sid}{iat_ms}", "sid": sid,
                       **precise}, keys.private, algorithm=ALGORITHM, headers={"kid": "k1"})


def test_a_remembered_token_is_refused_at_the_next_poll_after_its_user_is_revoked():
    keys, feed = Keys(), Feed()
    revocations = Revocations(feed, interval=3600)  # polled by hand here
    verifier = TokenVerifier(keys.jwks, revocations=revocations)
    now = int(time.time())
    token = sign(keys, now - 10)
    assert verifier.verify(token).session_id == "s1"  # remembered from now on
    feed.items.append({"key": key_of("user", "00000000-0000-0000-0000-000000000001"), "not_before": now})
    assert verifier.verify(token)  # not polled yet
    revocations.poll()
    with pytest.raises(InvalidToken, match="revoked"):
        verifier.verify(token)
    assert verifier.verify(sign(keys, now)).user_id  # issued from the « not before » on: valid


def test_a_second_revocation_within_the_same_second_refuses_the_tokens_issued_after_the_first():
    """auth gives a token issued after a revocation that revocation's instant at least, and the next revocation of
    the user a later one (services/auth/sessions.py): compared to the millisecond, the second refuses it, although
    both fall within one second. A token that says its second only (`iat`) counts from the start of it."""
    keys, feed = Keys(), Feed()
    revocations = Revocations(feed, interval=3600)
    verifier = TokenVerifier(keys.jwks, revocations=revocations)
    second = int(time.time())
    first_ms = second * 1000 + 400
    user = key_of("user", "00000000-0000-0000-0000-000000000001")
    feed.items.append({"key": user, "not_before": second + 1, "not_before_ms": first_ms})
    revocations.poll()
    between = sign(keys, second, iat_ms=first_ms)  # issued after the first revocation: given its instant
    assert verifier.verify(between).user_id
    with pytest.raises(InvalidToken, match="revoked"):
        verifier.verify(sign(keys, second, iat_ms=first_ms - 1))
    with pytest.raises(InvalidToken, match="revoked"):
        verifier.verify(sign(keys, second))  # its second only: from its start, before the revocation
    feed.items[0] = {"key": user, "not_before": second + 1, "not_before_ms": first_ms + 1}  # the second one
    revocations.poll()
    with pytest.raises(InvalidToken, match="revoked"):
        verifier.verify(between)
    assert verifier.verify(sign(keys, second, iat_ms=first_ms + 1)).user_id


def test_ending_a_session_refuses_its_tokens_only():
    keys, feed = Keys(), Feed()
    revocations = Revocations(feed, interval=3600)
    verifier = TokenVerifier(keys.jwks, revocations=revocations)
    now = int(time.time())
    ended, other = sign(keys, now - 5, sid="ended"), sign(keys, now - 5, sid="other")
    feed.items.append({"key": key_of("session", "ended"), "not_before": now + 1})
    revocations.poll()
    with pytest.raises(InvalidToken):
        verifier.verify(ended)
    assert verifier.verify(other).session_id == "other"


def test_when_auth_cannot_be_reached_the_last_list_stays_in_force():
    keys, feed = Keys(), Feed()
    revocations = Revocations(feed, interval=3600)
    verifier = TokenVerifier(keys.jwks, revocations=revocations)
    now = int(time.time())
    feed.items.append({"key": key_of("session", "s1"), "not_before": now + 1})
    revocations.poll()
    feed.fail = True
    assert revocations.poll() is False
    with pytest.raises(InvalidToken):
        verifier.verify(sign(keys, now - 5))


def test_a_revocation_is_forgotten_once_every_token_it_concerns_has_expired():
    feed = Feed()
    revocations = Revocations(feed, interval=3600)
    feed.items.append({"key": "k-old", "not_before": int(time.time()) - 2000})  # older than keep_seconds
    feed.items.append({"key": "k-new", "not_before": int(time.time())})
    revocations.poll()
    assert revocations.refused(["k-new"], int(time.time()) - 1)
    assert not revocations.refused(["k-old"], int(time.time()) - 3000)


def test_keys_named_by_the_token_itself_are_never_used():
    """ASVS 5.0 9.1.3: only auth's published keys verify a token; a `jwk`, `jku` or `x5u` header is ignored."""
    keys, attacker = Keys(), Ed25519PrivateKey.generate()
    verifier = TokenVerifier(keys.jwks)
    embedded = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(attacker.public_key()))
    claims = jwt.decode(keys.token(), options={"verify_signature": False})
    for headers in ({"kid": "k1", "jwk": embedded}, {"kid": "theirs", "jwk": embedded},
                    {"kid": "k1", "jku": "https://attacker.invalid/jwks.json"},
                    {"kid": "k1", "x5u": "https://attacker.invalid/cert.pem"}):
        forged = jwt.encode(claims, attacker, algorithm=ALGORITHM, headers=headers)
        with pytest.raises(InvalidToken):
            verifier.verify(forged)
