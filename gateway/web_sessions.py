"""The web session, server-side (issue 16; ASVS 5.0 V7): the browser's cookie holds a random id only (256 bits);
what Flask's `session` holds — the person's tokens, the CSRF token, flash messages — is a row of the gateway's
table `gateway.web_sessions`, found by the SHA-256 of that id.

A session ends when the person signs out (its row is deleted: the cookie, copied or not, opens nothing any more),
after `session_idle_seconds` without a page (idle timeout) or `session_absolute_seconds` after signing in
(absolute lifetime), and as soon as auth has revoked its tokens (a password changed elsewhere, « Se déconnecter de
tous les appareils », the session ended from « Mon compte » or by the support team, the account locked): every
request checks the stored access token against the revocations the gateway polls (ecars_common/revocations.py).
A request whose cookie names an ended session gets an empty session marked `ended` (pages then say « Votre
session a expiré » and keep a form being sent, gateway/ui/pages.py). Signing in or out gives a new id (no
fixation). Rows of sessions nobody came back to are purged at most once a minute per process. A session that
timed out is ended at auth too (gateway/auth_sessions.py)."""

import hashlib
import secrets
import time
from collections.abc import Callable
from datetime import datetime

import jwt
import sqlalchemy as sa
from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from ecars_common.db import Database
from ecars_common.revocations import Revocations, issued_at, key_of
from gateway.orm import web_sessions

COOKIE = "ecars_session"
SECURE_COOKIE = "__Host-ecars_session"  # the prefix: Secure, Path=/, no Domain (ASVS 5.0 3.3.1, 3.3.3)
# Paths that never read the session: no database round trip for them.
STATELESS = ("/static/", "/health/", "/metrics")
TOUCH_EVERY = 15  # seconds: a session seen more recently is not written again just to say it was seen
PURGE_EVERY = 60  # seconds between two purges of ended rows by one process

FIND = sa.select(web_sessions.c.data, web_sessions.c.user_id, web_sessions.c.created_at,
                 web_sessions.c.last_seen_at, sa.func.now().label("now")).where(
    web_sessions.c.id == sa.bindparam("key"))
DELETE = web_sessions.delete().where(web_sessions.c.id == sa.bindparam("key"))
# An ended session keeps its row, emptied, until the purge: its cookie still says whose it was (a form sent with it
# is kept for that person) and that it ended (« Votre session a expiré »), while it opens nothing.
EMPTY = web_sessions.update().where(web_sessions.c.id == sa.bindparam("key")).values(
    data=sa.text("'{}'::jsonb"), auth_session_id=None)


def key_of_cookie(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def claims_of(access_token: str) -> dict:
    """The claims of an access token auth has just given the gateway (over the internal network): who, which
    session, issued when. Not a check of the token: the services check it at each call."""
    try:
        claims = jwt.decode(access_token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return {}
    found = {"sub": str(claims.get("sub", "")), "sid": str(claims.get("sid") or ""), "iat": int(claims.get("iat", 0))}
    if type(claims.get("iat_ms")) is int:
        found["iat_ms"] = claims["iat_ms"]
    return found


def tokens_of(datas: list[dict]) -> list[dict]:
    """The tokens held by these sessions' data (those of signed-in people)."""
    return [{name: data[name] for name in ("access_token", "refresh_token") if name in data}
            for data in datas if data.get("access_token")]


class WebSession(CallbackDict, SessionMixin):
    """Flask's session, kept in the gateway's table. `ended`: the request's cookie named a session that is
    over (then `ended_user_id` says whose, when known). `renew()`: a new id at the end of the
    request (signing in, signing out). `activity=False`: this request does not keep the session alive;
    `must_touch`: it does, even if it was seen a moment ago (« Prolonger la session »)."""

    def __init__(self, data: dict | None = None, sid: str | None = None, stateless: bool = False):
        def on_update(self):
            self.modified = True

        super().__init__(data, on_update)
        self.sid = sid
        self.stateless = stateless
        self.modified = False
        self.renewing = False
        self.activity = True
        self.must_touch = False
        self.ended = False
        self.ended_user_id = ""
        self.last_seen: datetime | None = None
        self.seen_at: datetime | None = None
        self.created: datetime | None = None

    def renew(self) -> None:
        self.renewing = True
        self.modified = True


class ServerSessions(SessionInterface):
    def __init__(self, db: Database, revocations: Revocations | None, idle_seconds: int, absolute_seconds: int,
                 secure: bool, on_timed_out: Callable[[list[dict]], None] = lambda ended: None):
        """`on_timed_out`: given the tokens of the sessions that timed out (gateway/auth_sessions.py ends them at
        auth)."""
        self.db = db
        self.on_timed_out = on_timed_out
        self.revocations = revocations
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds
        self.secure = secure
        self.cookie = SECURE_COOKIE if secure else COOKIE
        self.touch_every = min(TOUCH_EVERY, idle_seconds / 10)
        self._purged_at = 0.0

    # -- reading ----------------------------------------------------------------------------------

    def open_session(self, app: Flask, request: Request) -> WebSession:
        if request.path.startswith(STATELESS) or request.path.startswith("/api/"):
            return WebSession(stateless=True)
        value = request.cookies.get(self.cookie)
        if not value:
            return WebSession()
        key = key_of_cookie(value)
        with self.db.session() as connection:
            row = connection.execute(FIND, {"key": key}).first()
            reason = self.ended_reason(row) if row is not None else "unknown"
            if row is not None and reason and row.data:
                connection.execute(EMPTY, {"key": key})
        if reason:
            session = WebSession()
            session.ended = True
            if row is not None:
                session.ended_user_id = row.user_id or ""
                if reason in ("idle", "absolute"):
                    self.on_timed_out(tokens_of([row.data]))
            return session
        session = WebSession(row.data, sid=value)
        session.created, session.last_seen, session.seen_at = row.created_at, row.last_seen_at, row.now
        return session

    def ended_reason(self, row) -> str:
        """Why a stored session is over ("" while it is not): timed out, or its tokens revoked by auth."""
        if row.user_id and not row.data:
            return "ended"  # emptied when it ended
        if (row.now - row.last_seen_at).total_seconds() >= self.idle_seconds:
            return "idle"
        if (row.now - row.created_at).total_seconds() >= self.absolute_seconds:
            return "absolute"
        claims = row.data.get("claims") or {}
        if claims and self.revocations is not None and self.revocations.refused(
                (key_of("user", claims["sub"]), key_of("session", claims["sid"])), issued_at(claims)):
            return "revoked"
        return ""

    # -- writing ----------------------------------------------------------------------------------

    def save_session(self, app: Flask, session: WebSession, response: Response) -> None:
        if session.stateless:
            return
        if session.sid and (session.renewing or not session):
            with self.db.session() as connection:
                connection.execute(DELETE, {"key": key_of_cookie(session.sid)})
            session.sid = None
        if not session:
            if session.renewing:
                response.delete_cookie(self.cookie, path="/", secure=self.secure, httponly=True, samesite="Lax")
            return
        claims = session.get("claims") or {}
        values = {"data": dict(session), "user_id": claims.get("sub") or None,
                  "auth_session_id": claims.get("sid") or None}
        if session.sid is None:
            value = secrets.token_urlsafe(32)
            with self.db.session() as connection:
                connection.execute(web_sessions.insert().values(id=key_of_cookie(value), **values))
                self._purge(connection)
            self._set_cookie(response, value)
            return
        seen_long_ago = session.seen_at is None or session.last_seen is None or (
            (session.seen_at - session.last_seen).total_seconds() >= self.touch_every)
        if session.modified or session.must_touch or (session.activity and seen_long_ago):
            changes = {**values} if session.modified else {}
            if session.activity or session.must_touch:
                changes["last_seen_at"] = sa.func.now()
            with self.db.session() as connection:
                connection.execute(web_sessions.update().where(
                    web_sessions.c.id == key_of_cookie(session.sid)).values(**changes))

    def _set_cookie(self, response: Response, value: str) -> None:
        # No Expires: the cookie goes when the browser closes; the server ends the session anyway (timeouts).
        # SameSite=Lax: a link followed from an email (a top-level navigation) opens the page signed in; a form
        # posted from another site does not carry it (and has no CSRF token).
        response.set_cookie(self.cookie, value, path="/", secure=self.secure, httponly=True, samesite="Lax")

    def _purge(self, connection) -> None:
        if time.monotonic() - self._purged_at < PURGE_EVERY:
            return
        self._purged_at = time.monotonic()
        purged = connection.execute(web_sessions.delete().where(sa.or_(
            web_sessions.c.last_seen_at < sa.func.now() - sa.text(f"interval '{int(self.idle_seconds)} seconds'"),
            web_sessions.c.created_at < sa.func.now() - sa.text(f"interval '{int(self.absolute_seconds)} seconds'"),
        )).returning(web_sessions.c.data)).scalars().all()
        self.on_timed_out(tokens_of(purged))

    # -- ending others ----------------------------------------------------------------------------

    def end_of_user(self, user_id: str, keep_sid: str | None = None) -> None:
        """Delete every web session of `user_id` (but the one of cookie `keep_sid`)."""
        condition = web_sessions.c.user_id == user_id
        if keep_sid:
            condition = sa.and_(condition, web_sessions.c.id != key_of_cookie(keep_sid))
        with self.db.session() as connection:
            connection.execute(web_sessions.delete().where(condition))

    def end_of_auth_session(self, user_id: str, auth_session_id: str) -> None:
        with self.db.session() as connection:
            connection.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id,
                                                           web_sessions.c.auth_session_id == auth_session_id))

    def last_seen_by_auth_session(self, user_id: str) -> dict[str, datetime]:
        """When each of the user's web sessions was last seen, by auth's session id (« Mon compte »)."""
        with self.db.session() as connection:
            rows = connection.execute(sa.select(web_sessions.c.auth_session_id, web_sessions.c.last_seen_at).where(
                web_sessions.c.user_id == user_id))
            return {row.auth_session_id: row.last_seen_at for row in rows if row.auth_session_id}
