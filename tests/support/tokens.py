"""Access tokens made by the tests themselves: read a token's claims, sign with auth's real key, and the
bad tokens every protected route must refuse (401)."""

import base64
import time
import uuid

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.support.db import rows


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def real_key(stack):
    """(kid, private key) of auth's newest signing key."""
    [row] = rows(stack, "SELECT kid, private_pem FROM auth.signing_keys ORDER BY created_at DESC LIMIT 1")
    return row["kid"], serialization.load_pem_private_key(row["private_pem"].encode(), None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def bad_tokens(stack, good: str) -> dict[str, str | None]:
    """None for the anonymous caller; a token whose signature was changed, an expired one (signed with the
    real key) and one signed by a key auth never published."""
    kid, key = real_key(stack)
    claims = claims_of(good)
    header, payload, signature = good.split(".")
    changed = bytearray(_unb64(signature))
    changed[0] ^= 0x01
    return {
        "anonymous": None,
        "tampered": f"{header}.{payload}.{_b64(bytes(changed))}",
        "expired": jwt.encode({**claims, "iat": int(time.time()) - 3600, "exp": int(time.time()) - 60}, key,
                              algorithm="EdDSA", headers={"kid": kid}),
        "unknown key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA",
                                  headers={"kid": f"unknown-{uuid.uuid4().hex}"}),
    }
