"""Access tokens cut short: the « not before » instants auth records — a password changed or reset, « Se
déconnecter de tous les appareils », one session ended, a refresh token stolen — kept in memory by every token
verifier (the gateway's and each service's).

Auth keeps them in its table `token_revocations` and serves those of the last access-token lifetime at
`GET /token-revocations` (an older one cannot refuse anything: every token it concerns has expired). Each
process polls the feed every `interval` seconds in a background thread (auth reads its own table), so checking
a token costs a dictionary look-up or two: a revoked token is refused by every process within about `interval`
seconds, tokens remembered by the verifier's cache included (the check runs on every request).

An entry names a user or a session by a hash of its id (`key_of`), so the feed tells whoever reads it nothing
about who signed out. When auth cannot be reached, a process keeps its last list and logs it at each failed
poll: revocations made meanwhile apply as soon as auth answers again, and in any case when the token expires.

Instants are compared to the millisecond: a token says when it was issued in `iat_ms` (a private claim beside the
whole-second `iat`), an entry in `not_before_ms`. A token issued after a revocation is given that revocation's instant
at least (auth, keys.KeyRing.issue), and each new revocation of a user is strictly later than the previous one
(services/auth/sessions.py): with whole seconds, a second revocation within the same second as the first had the
same instant and did not refuse the tokens issued between the two."""

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

import httpx

log = logging.getLogger(__name__)

# A poll asks for what was recorded since the previous answer, minus this margin: a revocation written by a
# transaction that committed after that answer (auth's transactions last milliseconds) is still seen.
OVERLAP_SECONDS = 30.0


def key_of(kind: str, identifier: str) -> str:
    """The feed's name for a user ("user", id) or a session ("session", id)."""
    return hashlib.sha256(f"{kind}:{identifier}".encode()).hexdigest()[:32]


def issued_at(claims: dict) -> float:
    """When a token was issued, in epoch seconds: to the millisecond (`iat_ms`) when auth wrote it, else its `iat`
    (the start of its second: a revocation within that second refuses it)."""
    precise = claims.get("iat_ms")
    if type(precise) is int:
        return precise / 1000
    return float(int(claims.get("iat", 0)))


def not_before_of(item: dict) -> float:
    """A feed entry's instant, in epoch seconds: to the millisecond (`not_before_ms`), else its whole second."""
    precise = item.get("not_before_ms")
    if type(precise) is int:
        return precise / 1000
    return float(int(item["not_before"]))


class Revocations:
    """`fetch(since)` answers the feed: {"as_of": epoch seconds, "keep_seconds": n, "items": [{"key", "not_before",
    "not_before_ms"}]}, the items recorded after `since` (all of the last keep_seconds when None)."""

    def __init__(self, fetch: Callable[[float | None], dict], interval: float = 2.0):
        self._fetch = fetch
        self.interval = interval
        self._entries: dict[str, tuple[float, float]] = {}  # key -> (not before, when to forget it), epoch seconds
        self._since: float | None = None
        self._lock = threading.Lock()
        self._pid: int | None = None  # the process whose thread polls (a forked worker starts its own)
        self.polled_at = 0.0  # time.time() of the last successful poll

    def refused(self, keys: Iterable[str], issued_at: float) -> bool:
        """Was a token with these keys, issued at `issued_at` (epoch seconds, `issued_at(claims)`), revoked?"""
        if self._pid != os.getpid():
            self._start()
        entries = self._entries
        if entries:
            for key in keys:
                entry = entries.get(key)
                if entry is not None and issued_at < entry[0]:
                    return True
        return False

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self.poll()  # once before the first answer, so that a new process knows the list at once
            threading.Thread(target=self._run, name="token-revocations", daemon=True).start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            self.poll()

    def poll(self) -> bool:
        try:
            answer = self._fetch(self._since)
            keep = float(answer["keep_seconds"])
            items = [(str(item["key"]), not_before_of(item)) for item in answer["items"]]
            as_of = float(answer["as_of"])
        except Exception as exc:  # whatever went wrong, the last list stays in force
            log.warning("token revocations not refreshed: %s: %s", type(exc).__name__, exc)
            return False
        now = time.time()
        entries = dict(self._entries)
        for key, not_before in items:
            known = entries.get(key)
            if known is None or not_before > known[0]:
                entries[key] = (not_before, not_before + keep)
        self._entries = {key: entry for key, entry in entries.items() if entry[1] > now}  # swapped whole
        self._since = as_of - OVERLAP_SECONDS
        self.polled_at = now
        return True


def http_feed(url: str) -> Callable[[float | None], dict]:
    """The feed read from auth over HTTP (one kept-alive connection per process)."""
    client = httpx.Client(timeout=httpx.Timeout(3.0, connect=2.0))

    def fetch(since: float | None) -> dict:
        params = {} if since is None else {"since": f"{since:.6f}"}
        return client.get(url, params=params).raise_for_status().json()

    return fetch


def from_auth(settings) -> Revocations:
    """The revocations of a process that calls auth over HTTP (the gateway, every service but auth)."""
    return Revocations(http_feed(f"{settings.service_url('auth')}/token-revocations"), settings.revocation_poll_seconds)
