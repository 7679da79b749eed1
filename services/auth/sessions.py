"""Sessions: one per sign-in (a browser, a device), and the ways they end.

A session holds the refresh tokens that rotate within it; its access tokens carry its id (`sid`). Ending a
session revokes its refresh tokens and records that its access tokens are no longer valid; ending all of a
user's sessions (« Se déconnecter de tous les appareils », a password changed or reset, a refresh token
stolen) sets the user's « not before »: every access token issued before it is refused. Both go to the feed
every token verifier polls (`GET /token-revocations`, ecars_common/revocations.py) and are announced on the bus
(`auth.user.sessions_revoked`).

Instants are milliseconds. A revocation's is the next millisecond (every token issued until now is earlier), and a
user's is moreover strictly after their previous one (`BUMP`, under the user row's lock): the tokens issued after a
revocation carry its instant at least (keys.KeyRing.issue), so that a second revocation in the same instant would
leave them valid — as it did with whole seconds, a password change then the support team ending every session
within the same second (tests/e2e/test_web_sessions.py)."""

import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.revocations import key_of
from services.auth.audit import audit, publish
from services.auth.orm import refresh_tokens, sessions, token_revocations, users

USER_AGENT_MAX = 300

LIVE = sa.and_(sessions.c.ended_at.is_(None), sa.exists().where(
    refresh_tokens.c.session_id == sessions.c.id, refresh_tokens.c.revoked_at.is_(None),
    refresh_tokens.c.expires_at > sa.func.now()))

# The user's new « not before »: the given instant, or just after their previous one if that is not earlier.
BUMP = users.update().where(users.c.id == sa.bindparam("who")).values(tokens_not_before=sa.func.greatest(
    sa.bindparam("instant", type_=sa.DateTime(timezone=True)),
    users.c.tokens_not_before + sa.text("interval '1 millisecond'"))).returning(users.c.tokens_not_before)
# the feed, polled by every process every few seconds: built once (docs/developing.md, hot paths)
FEED = sa.select(token_revocations.c.key, sa.func.max(token_revocations.c.not_before).label("not_before")).where(
    token_revocations.c.recorded_at > sa.func.to_timestamp(sa.bindparam("since")),
    token_revocations.c.recorded_at > sa.func.now() - sa.bindparam("keep", type_=sa.Interval),
).group_by(token_revocations.c.key)
CLOCK = sa.select(sa.extract("epoch", sa.func.clock_timestamp()))


def next_instant() -> datetime:
    """The instant from which new tokens are valid again: the next millisecond. Every token issued until now has an
    earlier `iat_ms`; those issued from now on are given this one at least (keys.KeyRing.issue)."""
    ms = time.time_ns() // 1_000_000 + 1
    return datetime.fromtimestamp(ms // 1000, UTC).replace(microsecond=ms % 1000 * 1000)


def epoch_ms(instant: datetime | None) -> int:
    return round(instant.timestamp() * 1000) if instant else 0


def open_session(session: Connection, user_id: str, user_agent: str, address: str) -> str:
    return session.execute(sessions.insert().values(
        user_id=user_id, user_agent=user_agent[:USER_AGENT_MAX], client_address=address).returning(sessions.c.id)
    ).scalar_one()


def touch(session: Connection, session_id: str) -> bool:
    """A refresh within the session: its « last used ». False if the session has ended."""
    return session.execute(sessions.update().where(sessions.c.id == session_id, sessions.c.ended_at.is_(None))
                           .values(last_used_at=sa.func.now()).returning(sessions.c.id)).first() is not None


def listing(session: Connection, user_id: str, current: str) -> list[dict]:
    rows = session.execute(sa.select(sessions).where(sessions.c.user_id == user_id, LIVE)
                           .order_by(sessions.c.last_used_at.desc())).mappings()
    return [{"id": row["id"], "user_agent": row["user_agent"], "client_address": row["client_address"],
             "created_at": row["created_at"].isoformat(), "last_used_at": row["last_used_at"].isoformat(),
             "current": row["id"] == current} for row in rows]


def is_live(session: Connection, user_id: str, session_id: str) -> bool:
    """Whether `session_id` is one of the user's sessions not ended yet (what end_session would end)."""
    return session.execute(sa.select(sessions.c.id).where(sessions.c.id == session_id, sessions.c.user_id == user_id,
                                                          sessions.c.ended_at.is_(None))).first() is not None


def others_live(session: Connection, user_id: str, current: str | None) -> bool:
    """Whether the user has a live session besides `current` (another device)."""
    query = sa.select(sessions.c.id).where(sessions.c.user_id == user_id, LIVE)
    if current:
        query = query.where(sessions.c.id != current)
    return session.execute(query.limit(1)).first() is not None


def revoke(session: Connection, key: str, not_before: datetime, reason: str) -> None:
    session.execute(token_revocations.insert().values(key=key, not_before=not_before, reason=reason))


def end_session(session: Connection, user_id: str, session_id: str, reason: str, address: str,
                audited: bool = True) -> bool:
    """End one of the user's sessions; False if they have no such live session. `audited=False`: the caller's
    own audit row tells it (« logout »)."""
    ended = session.execute(
        sessions.update().where(sessions.c.id == session_id, sessions.c.user_id == user_id,
                                sessions.c.ended_at.is_(None))
        .values(ended_at=sa.func.now(), ended_reason=reason).returning(sessions.c.id)).first()
    if ended is None:
        return False
    session.execute(refresh_tokens.update().where(refresh_tokens.c.session_id == session_id,
                                                  refresh_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=sa.func.now()))
    not_before = next_instant()
    revoke(session, key_of("session", session_id), not_before, reason)
    if audited:
        audit(session, "session.ended", user_id, address, session_id=session_id, reason=reason)
    publish(session, "auth.user.sessions_revoked", {"user_id": user_id, "session_id": session_id,
                                                    "not_before": not_before.isoformat(), "reason": reason})
    return True


def end_all_sessions(session: Connection, user_id: str, reason: str, address: str, keep: str = "",
                     audited: bool = True) -> tuple[datetime, int]:
    """End every session of the user (but `keep`): their refresh tokens are revoked, and every access token
    issued until now is refused — `keep`'s too, which needs new tokens (login.issue_tokens). Returns the new
    « not before » and how many sessions ended."""
    # first, under the user row's lock: strictly after their previous one (the module's docstring)
    not_before = session.execute(BUMP, {"who": user_id, "instant": next_instant()}).scalar_one()
    others = sessions.c.id != keep if keep else sa.true()
    count = session.execute(sa.select(sa.func.count()).where(sessions.c.user_id == user_id, LIVE, others)
                            ).scalar_one()
    session.execute(sessions.update().where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None), others)
                    .values(ended_at=sa.func.now(), ended_reason=reason))
    kept_tokens = refresh_tokens.c.session_id.is_distinct_from(keep) if keep else sa.true()
    session.execute(refresh_tokens.update().where(
        refresh_tokens.c.user_id == user_id, refresh_tokens.c.revoked_at.is_(None), kept_tokens)
        .values(revoked_at=sa.func.now()))
    revoke(session, key_of("user", user_id), not_before, reason)
    if audited:  # else the caller's own row tells it (« password.reset »…)
        audit(session, "sessions.ended_all", user_id, address, reason=reason, sessions=count, kept=keep or None)
    publish(session, "auth.user.sessions_revoked", {"user_id": user_id, "session_id": None, "kept_session_id": keep
                                                    or None, "not_before": not_before.isoformat(), "reason": reason})
    return not_before, count


def feed(session: Connection, since: float | None, keep_seconds: int) -> dict:
    """What GET /token-revocations answers: the revocations recorded after `since` (epoch seconds) within the
    last `keep_seconds`, one per key (its latest « not before », to the millisecond in `not_before_ms`; `not_before`
    is its second rounded up, for a verifier that reads whole seconds only)."""
    as_of = float(session.execute(CLOCK).scalar_one())
    rows = session.execute(FEED, {"since": since if since is not None else 0.0,
                                  "keep": timedelta(seconds=keep_seconds)})
    return {"as_of": as_of, "keep_seconds": keep_seconds,
            "items": [{"key": row.key, "not_before": -(-epoch_ms(row.not_before) // 1000),
                       "not_before_ms": epoch_ms(row.not_before)} for row in rows]}
