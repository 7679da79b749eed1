"""The gateway's server-side web sessions (gateway/web_sessions.py), read and changed in the test database: what
a browser's cookie opens, and time passing (a session made older than its timeouts)."""

import json

from gateway.web_sessions import key_of_cookie
from tests.support.db import connect


def cookie_of(context, gateway: str, name: str = "ecars_session") -> dict:
    """The browser context's session cookie."""
    [cookie] = [c for c in context.cookies(gateway) if c["name"] == name]
    return cookie


def stored(stack, cookie_value: str) -> dict | None:
    """The row the cookie opens, None if there is none."""
    with connect(stack) as conn:
        return conn.execute("SELECT * FROM gateway.web_sessions WHERE id = %s", (key_of_cookie(cookie_value),)
                            ).fetchone()


def opens_nothing(stack, cookie_value: str) -> bool:
    """The cookie's session is over: no row, or one emptied when it ended (kept until the purge, to say whose)."""
    row = stored(stack, cookie_value)
    return row is None or row["data"] == {}


def change_data(stack, cookie_value: str, **values) -> None:
    with connect(stack) as conn:
        conn.execute("UPDATE gateway.web_sessions SET data = data || %s::jsonb WHERE id = %s",
                     (json.dumps(values), key_of_cookie(cookie_value)))


def age(stack, cookie_value: str, idle_seconds: int = 0, since_sign_in_seconds: int = 0) -> None:
    """As if the session was last seen `idle_seconds` ago, and opened `since_sign_in_seconds` ago."""
    with connect(stack) as conn:
        conn.execute("UPDATE gateway.web_sessions SET last_seen_at = now() - make_interval(secs => %s), "
                     "created_at = LEAST(created_at, now() - make_interval(secs => %s)) WHERE id = %s",
                     (idle_seconds, since_sign_in_seconds, key_of_cookie(cookie_value)))


def sessions_of(stack, user_id: str) -> list[dict]:
    """The user's open web sessions (those holding tokens)."""
    with connect(stack) as conn:
        return conn.execute("SELECT * FROM gateway.web_sessions WHERE user_id = %s AND data ? 'access_token'",
                            (user_id,)).fetchall()
