"""The web UI as a person's browser without JavaScript: an httpx client signed in through « Se connecter »."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.support.identity import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    return CSRF.search(html).group(1)


@contextmanager
def web_client(gateway: str, email: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway) as client:
        answer = client.post("/connexion", data={"email": email, "password": password,
                                                 "csrf_token": csrf_of(client.get("/connexion").text)})
        assert answer.is_redirect and "/connexion" not in answer.headers["location"], answer.text
        yield client
