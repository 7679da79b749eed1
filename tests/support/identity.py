"""Users with a password, tokens and codes, for tests that go through the gateway."""

import re
import time

import httpx

from services.auth.passwords import hash_password
from tests.conftest import unique
from tests.support.db import create_user

PASSWORD = "Ecars-Test-2026!x"
_HASH = None


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def active_user(stack, role: str = "etablissement", **extra) -> tuple[str, str]:
    """A user who already set their password (PASSWORD); returns (email, user_id)."""
    email = f"{unique(role)}@e-cars.test"
    user_id = create_user(stack, email, role=role, password_hash=password_hash(), must_reset_password=False, **extra)
    return email, user_id


def sign_in(gateway: str, email: str, password: str = PASSWORD) -> dict:
    answer = httpx.post(f"{gateway}/api/auth/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return answer.json()


def web_session(gateway: str, email: str, password: str = PASSWORD) -> httpx.Client:
    """A client signed in to the web UI (« Se connecter », its session cookie kept)."""
    browser = httpx.Client(base_url=gateway, timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/connexion").text).group(1)
    answer = browser.post("/connexion", data={"email": email, "password": password, "csrf_token": csrf})
    assert answer.status_code == 302, answer.text
    return browser


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def latest_code(mailbox, email: str, count: int = 1) -> str:
    """The code of the `count`-th verification email to `email` (waiting for it)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        codes = [found.group(1) for mail in mailbox.messages(email)
                 if (found := re.search(r"Votre code de vérification : (\d{6})\b", mail["text"]))]
        if len(codes) >= count:
            return codes[count - 1]
        time.sleep(0.1)
    raise AssertionError(f"no verification code #{count} for {email}")
