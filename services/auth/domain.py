"""Identity rules, free of Flask, SQLAlchemy and SMTP."""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

CODE_DIGITS = 6
EMAIL_PATTERN = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def is_valid_email(email: str) -> bool:
    return len(email) <= 254 and bool(EMAIL_PATTERN.match(email))


def new_verification_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))


def hash_code(secret: str, email: str, code: str) -> str:
    """Codes are short, so a slow hash would not protect them against a stolen table: a keyed hash
    (HMAC with a server-side pepper) does, and binds the code to its email."""
    return hmac.new(secret.encode(), f"{email}\x00{code}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class VerificationCodeRequested:
    """Domain event: a user asked for a code to renew their password."""

    user_id: str
    email: str
    civilite: str
    nom: str
    prenom: str
    code: str
    expires_at: str
