"""The throttle on password guessing (« Se connecter », and the current password asked by « Mon compte »).

Three counters of consecutive failures, each forgotten after a quiet period without one:
- per account *and* client address (`pair:`): after `throttle_free_failures` failures, each new attempt must
  wait, doubling from 1 s up to `throttle_max_delay_seconds`; an attempt made sooner is refused unchecked (its
  password is not even hashed). Someone guessing from one address is slowed to a few dozen tries a day, while
  the person signing in from their own address is not slowed at all: the flood cannot lock them out.
- per account, from every address (`account:`): `account_max_failures` failures (NIST SP 800-63B: at most
  100) lock it for `lock_minutes` and the person is told by email; a success or a password reset clears it.
  Reaching it takes many addresses, since one is slowed to fewer tries a day than the lock needs.
- per address, over every account (`address:`): `address_max_failures` failures lock the address for
  `lock_minutes` (password spraying).
The audit trail of a flood is one row per kind of event, account, address and `audit_window_minutes`, with a
count (`audit_flood`), not one row per refused attempt."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from services.auth.audit import audit
from services.auth.config import Config
from services.auth.orm import audit_log, login_throttle


@dataclass(frozen=True)
class Verdict:
    status: str  # open | slowed | locked
    retry_after: int = 0


OPEN = Verdict("open")


def keys(email: str, address: str) -> tuple[str, str, str]:
    """(account, address, pair) keys of an attempt."""
    return f"account:{email}", f"address:{address}", f"pair:{email} {address}"


def seconds_until(instant: datetime, now: datetime) -> int:
    return max(1, math.ceil((instant - now).total_seconds()))


def check(session: Connection, email: str, address: str, now: datetime) -> Verdict:
    """May this attempt be checked at all?"""
    account, by_address, pair = keys(email, address)
    rows = session.execute(sa.select(login_throttle.c.key, login_throttle.c.locked_until,
                                     login_throttle.c.next_attempt_at)
                           .where(login_throttle.c.key.in_([account, by_address, pair]))).all()
    locked = [row.locked_until for row in rows if row.locked_until and row.locked_until > now]
    if locked:
        return Verdict("locked", seconds_until(max(locked), now))
    waits = [row.next_attempt_at for row in rows if row.key == pair and row.next_attempt_at
             and row.next_attempt_at > now]
    return Verdict("slowed", seconds_until(waits[0], now)) if waits else OPEN


def _count(session: Connection, key: str, now: datetime, forget: timedelta) -> int:
    """One more failure for `key` (the count starts again after `forget` without one); the new count."""
    stale = login_throttle.c.last_failure_at.is_(None) | (login_throttle.c.last_failure_at < now - forget)
    return session.execute(
        insert(login_throttle).values(key=key, failures=1, window_started_at=now, last_failure_at=now)
        .on_conflict_do_update(index_elements=["key"], set_={
            "failures": sa.case((stale, 1), else_=login_throttle.c.failures + 1),
            "window_started_at": sa.case((stale, now), else_=login_throttle.c.window_started_at),
            "last_failure_at": now,
        }).returning(login_throttle.c.failures)
    ).scalar_one()


def delay(config: Config, failures: int) -> int:
    """Seconds the next attempt of an account from one address must wait after `failures` in a row."""
    if failures < config.throttle_free_failures:
        return 0
    return min(2 ** (failures - config.throttle_free_failures), config.throttle_max_delay_seconds)


def _lock(session: Connection, config: Config, key: str, now: datetime) -> None:
    session.execute(login_throttle.update().where(login_throttle.c.key == key).values(
        locked_until=now + timedelta(minutes=config.lock_minutes), failures=0))


def failed(session: Connection, config: Config, email: str, address: str, now: datetime) -> tuple[bool, bool]:
    """Count a wrong password. Returns (the account is now locked, the address is now locked)."""
    account, by_address, pair = keys(email, address)
    memory = timedelta(hours=config.failure_memory_hours)
    wait = delay(config, _count(session, pair, now, memory))
    if wait:
        session.execute(login_throttle.update().where(login_throttle.c.key == pair)
                        .values(next_attempt_at=now + timedelta(seconds=wait)))
    account_locked = _count(session, account, now, memory) >= config.account_max_failures
    if account_locked:
        _lock(session, config, account, now)
    address_locked = (_count(session, by_address, now, timedelta(minutes=config.failure_window_minutes))
                      >= config.address_max_failures)
    if address_locked:
        _lock(session, config, by_address, now)
    return account_locked, address_locked


def succeeded(session: Connection, email: str, address: str) -> None:
    account, _, pair = keys(email, address)
    session.execute(login_throttle.delete().where(login_throttle.c.key.in_([account, pair])))


def forget_account(session: Connection, email: str) -> None:
    """The person proved they own the mailbox (a password reset): nothing holds their account back."""
    account, _, _ = keys(email, "")
    session.execute(login_throttle.delete().where(
        (login_throttle.c.key == account) | login_throttle.c.key.startswith(f"pair:{email} ", autoescape=True)))


def audit_flood(session: Connection, config: Config, action: str, user_id: str | None, address: str,
                **details) -> None:
    """An audit row that counts: the row of the same action, account and address started within the window
    gets one more in its `count`; otherwise a new row starts with count 1."""
    window = timedelta(minutes=config.audit_window_minutes)
    row = session.execute(
        sa.select(audit_log.c.id).where(
            audit_log.c.action == action, audit_log.c.client_address == address,
            audit_log.c.user_id.is_not_distinct_from(user_id), audit_log.c.at > sa.func.now() - window)
        .order_by(audit_log.c.at.desc()).limit(1).with_for_update()).first()
    if row is None:
        audit(session, action, user_id, address, count=1, **details)
        return
    count = sa.cast(sa.func.coalesce(audit_log.c.details["count"].astext, "1"), sa.Integer) + 1
    session.execute(audit_log.update().where(audit_log.c.id == row.id).values(
        details=audit_log.c.details.op("||")(sa.func.jsonb_build_object(
            "count", count, "last_at", sa.func.now()))))
