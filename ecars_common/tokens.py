"""Access tokens: EdDSA-signed JWTs issued by auth, checked by the gateway and every service.

The algorithm is pinned (a token claiming `none`, HS256 or anything else is refused before any key is
looked at); `exp`, `iat`, `jti`, `sub`, issuer and audience are required. Public keys come from auth's
JWKS endpoint, cached, and fetched again when a token names an unknown key (key rotation). A token can be
cut short before its expiry by auth's revocations (ecars_common/revocations.py)."""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

import httpx
import jwt
from flask import current_app, g, request

from ecars_common.errors import ApiError
from ecars_common.revocations import Revocations, issued_at, key_of

ALGORITHM = "EdDSA"
ISSUER = "ecars-auth"
AUDIENCE = "ecars"
REQUIRED_CLAIMS = ["exp", "iat", "jti", "sub", "iss", "aud"]
TOKEN_TYPE = "at+jwt"  # noqa: S105 (RFC 9068: the JOSE header's typ of an access token, not a secret)


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Identity:
    user_id: str
    email: str
    role: str
    region: str | None = None
    departement: str | None = None
    token_id: str = ""
    session_id: str = ""  # the sign-in (auth's session) the token belongs to

    @property
    def is_authority(self) -> bool:
        return self.role in ("ars", "cd", "admin")


class TokenVerifier:
    """Checks access tokens. A token whose signature and claims were checked is remembered for a short
    while (`cache_seconds`): the same token again is then answered without parsing and verifying it (that
    is ~0.1 ms of CPU at the gateway and again at the service, per request). A remembered token is still
    refused from its expiry (with the same leeway), as soon as its signing key is no longer in the JWKS, and as
    soon as `revocations` (ecars_common/revocations.py) says its user's or its session's tokens issued before
    some instant are no longer valid: that check runs on every call, remembered or not. A refused token is
    never remembered."""

    MAX_CACHED = 10_000

    def __init__(self, jwks: Callable[[bool], dict], leeway: int = 5, cache_seconds: float = 30,
                 revocations: Revocations | None = None):
        """`jwks(refresh)` returns the JWKS document; refresh=True asks for a fresh copy."""
        self._jwks = jwks
        self.leeway = leeway
        self.cache_seconds = cache_seconds
        self.revocations = revocations
        # token -> (identity, remembered until, its key, when it was issued, its revocation keys)
        self._verified: dict[str, tuple[Identity, float, dict, float, tuple[str, ...]]] = {}

    def _key(self, kid: str):
        for refresh in (False, True):
            for jwk in self._jwks(refresh).get("keys", []):
                if jwk.get("kid") == kid:
                    return jwk, jwt.PyJWK(jwk, algorithm=ALGORITHM).key
        raise InvalidToken("unknown signing key")

    def verify(self, token: str) -> Identity:
        now = time.time()
        remembered = self._verified.get(token)
        if remembered is not None:
            identity, until, jwk, issued, keys = remembered
            if now < until and jwk in self._jwks(False).get("keys", []):
                self._check_revocations(keys, issued)
                return identity
            self._verified.pop(token, None)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidToken(f"malformed token: {exc}") from None
        if header.get("alg") != ALGORITHM:
            raise InvalidToken("algorithm not allowed")
        jwk, key = self._key(str(header.get("kid", "")))
        try:
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], audience=AUDIENCE,
                issuer=ISSUER, leeway=self.leeway, options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(str(exc)) from None
        if claims.get("iat", 0) > time.time() + self.leeway:
            raise InvalidToken("issued in the future")
        identity = Identity(user_id=claims["sub"], email=claims.get("email", ""), role=claims.get("role", ""),
                            region=claims.get("region"), departement=claims.get("departement"),
                            token_id=claims["jti"], session_id=str(claims.get("sid") or ""))
        keys = (key_of("user", identity.user_id),) + ((key_of("session", identity.session_id),)
                                                      if identity.session_id else ())
        issued = issued_at(claims)
        self._check_revocations(keys, issued)
        self._remember(token, (identity, min(claims["exp"] + self.leeway, now + self.cache_seconds), jwk,
                               issued, keys))
        return identity

    def _check_revocations(self, keys: tuple[str, ...], issued: float) -> None:
        if self.revocations is not None and self.revocations.refused(keys, issued):
            raise InvalidToken("revoked")

    def _remember(self, token: str, entry: tuple) -> None:
        if len(self._verified) >= self.MAX_CACHED:
            now = time.time()
            for old in [t for t, entry in list(self._verified.items()) if entry[1] <= now]:
                self._verified.pop(old, None)
            if len(self._verified) >= self.MAX_CACHED:
                self._verified.clear()
        self._verified[token] = entry


def http_jwks(url: str, max_age: float = 300, min_refresh_interval: float = 10) -> Callable[[bool], dict]:
    """JWKS fetched from auth over HTTP and cached; an unknown key refetches at most every 10 s."""
    state = {"doc": {"keys": []}, "fetched": 0.0}
    lock = threading.Lock()

    def get(refresh: bool) -> dict:
        with lock:
            age = time.monotonic() - state["fetched"]
            if age > max_age or (refresh and age > min_refresh_interval):
                try:
                    state["doc"] = httpx.get(url, timeout=3).raise_for_status().json()
                    state["fetched"] = time.monotonic()
                except (httpx.HTTPError, json.JSONDecodeError):
                    if not state["doc"]["keys"]:
                        raise ApiError(503, "auth_unavailable",
                                       "Le service d'authentification est indisponible.") from None
            return state["doc"]

    return get


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer …` header."""
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def identity_of(verifier: TokenVerifier, authorization: str) -> Identity:
    """The caller with this Authorization header; ApiError 401 if there is no token or it is not valid."""
    token = bearer_token(authorization)
    if token is None:
        raise ApiError(401, "authentication_required", "Authentification requise.")
    try:
        return verifier.verify(token)
    except InvalidToken as exc:
        raise ApiError(401, "invalid_token", "Jeton d'accès invalide ou expiré : reconnectez-vous.",
                       {"reason": str(exc)}) from None


def current_identity() -> Identity:
    """The caller, from the request's Bearer token; 401 JSON if there is none or it is not valid."""
    if "identity" in g:
        return g.identity
    g.identity = identity_of(current_app.extensions["token_verifier"], request.headers.get("Authorization", ""))
    return g.identity


def authenticated(view):
    """Decorator: the view runs only for a caller with a valid access token."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        current_identity()
        return view(*args, **kwargs)

    return wrapper
