"""Ending at auth the sessions whose web session ended without « Se déconnecter » (idle timeout, absolute
lifetime, a row purged because nobody came back): their refresh tokens would live on at auth otherwise (7 days),
and « Mon compte » would list them. Done in a background thread, best effort: nobody holds these tokens any more,
and the web session is over whatever auth answers."""

import logging
import threading
from collections.abc import Callable

import httpx

log = logging.getLogger(__name__)


def end_at_auth(client: httpx.Client, auth_url: str, tokens: dict) -> None:
    """POST /logout with the access token, renewed first if it has expired."""
    access_token = tokens.get("access_token", "")
    answer = client.post(f"{auth_url}/logout", headers={"Authorization": f"Bearer {access_token}"})
    if answer.status_code == 401 and tokens.get("refresh_token"):
        renewed = client.post(f"{auth_url}/token/refresh", json={"refresh_token": tokens["refresh_token"]})
        if renewed.status_code == 200:
            access_token = renewed.json()["access_token"]
            client.post(f"{auth_url}/logout", headers={"Authorization": f"Bearer {access_token}"})


def background_closer(auth_url: str) -> Callable[[list[dict]], None]:
    """What ServerSessions calls with the tokens of the web sessions that just ended."""
    client = httpx.Client(timeout=httpx.Timeout(5.0, connect=2.0))

    def close_all(ended: list[dict]) -> None:
        for tokens in ended:
            try:
                end_at_auth(client, auth_url, tokens)
            except httpx.HTTPError as exc:
                log.warning("an ended web session was not ended at auth: %s: %s", type(exc).__name__, exc)

    def close(ended: list[dict]) -> None:
        if ended:
            threading.Thread(target=close_all, args=(ended,), name="end-web-sessions-at-auth", daemon=True).start()

    return close
