"""« Se connecter », token refresh and logout, with the throttle on failed logins."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.tokens import Identity
from services.auth import passwords
from services.auth.config import Config
from services.auth.keys import KeyRing
from services.auth.orm import login_throttle, refresh_tokens, users
from services.auth.records import audit, person, publish
from services.auth.reset import revoke_refresh_tokens, sha256, user_by_email

ROTATION_GRACE_SECONDS = 30


@dataclass
class Outcome:
    status: str  # ok | invalid | locked | reset_required
    tokens: dict = field(default_factory=dict)
    retry_after: int = 0


def identity_of(user) -> Identity:
    return Identity(user_id=str(user["id"]), email=user["email"], role=user["role"], region=user["region"],
                    departement=user["departement"])


def issue_tokens(session: Connection, config: Config, keyring: KeyRing, user) -> dict:
    refresh = secrets.token_urlsafe(32)
    session.execute(refresh_tokens.insert().values(
        token_hash=sha256(refresh), user_id=user["id"],
        expires_at=datetime.now(UTC) + timedelta(days=config.refresh_token_days)))
    return {"access_token": keyring.issue(identity_of(user)), "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": config.access_token_seconds, "user": public_user(user)}


def public_user(user) -> dict:
    return {key: user[key] for key in ("id", "email", "civilite", "nom", "prenom", "fonction", "telephone", "role",
                                       "region", "departement")}


def locked_for(session: Connection, keys: list[str], now: datetime) -> int:
    until = session.execute(
        sa.select(sa.func.max(login_throttle.c.locked_until)).where(login_throttle.c.key.in_(keys))
    ).scalar_one()
    return max(0, int((until - now).total_seconds()) + 1) if until and until > now else 0


def record_failure(session: Connection, config: Config, key: str, threshold: int, now: datetime) -> bool:
    """Count a failure for `key`; True when this failure locks it."""
    window_start = now - timedelta(minutes=config.failure_window_minutes)
    row = session.execute(
        insert(login_throttle).values(key=key, failures=1, window_started_at=now)
        .on_conflict_do_update(index_elements=["key"], set_={
            "failures": sa.case((login_throttle.c.window_started_at < window_start, 1),
                                else_=login_throttle.c.failures + 1),
            "window_started_at": sa.case((login_throttle.c.window_started_at < window_start, now),
                                         else_=login_throttle.c.window_started_at),
        }).returning(login_throttle.c.failures)
    ).one()
    if row.failures >= threshold:
        session.execute(login_throttle.update().where(login_throttle.c.key == key).values(
            locked_until=now + timedelta(minutes=config.lock_minutes), failures=0, window_started_at=now))
        return True
    return False


def login(session: Connection, config: Config, keyring: KeyRing, email: str, password: str, address: str) -> Outcome:
    now = datetime.now(UTC)
    account_key, address_key = f"account:{email}", f"address:{address}"
    user = user_by_email(session, email)
    user_id = user["id"] if user else None
    remaining = locked_for(session, [account_key, address_key], now)
    if remaining:
        audit(session, "login.refused_locked", user_id, address)
        return Outcome("locked", retry_after=remaining)
    if not passwords.verify_password(user["password_hash"] if user else None, password):
        account_locked = record_failure(session, config, account_key, config.account_max_failures, now)
        address_locked = record_failure(session, config, address_key, config.address_max_failures, now)
        audit(session, "login.failed", user_id, address)
        if account_locked and user is not None:
            audit(session, "account.locked", user_id, address)
            publish(session, "auth.account.locked", {
                **person(user), "locked_until": (now + timedelta(minutes=config.lock_minutes)).isoformat()})
        if account_locked or address_locked:
            return Outcome("locked", retry_after=config.lock_minutes * 60)
        return Outcome("invalid")
    session.execute(login_throttle.delete().where(login_throttle.c.key == account_key))
    if user["must_reset_password"]:
        audit(session, "login.reset_required", user_id, address)
        return Outcome("reset_required")
    if passwords.needs_rehash(user["password_hash"]):
        session.execute(users.update().where(users.c.id == user_id).values(
            password_hash=passwords.hash_password(password)))
    audit(session, "login.succeeded", user_id, address)
    return Outcome("ok", tokens=issue_tokens(session, config, keyring, user))


def refresh(session: Connection, config: Config, keyring: KeyRing, token: str, address: str) -> dict | None:
    """Rotate: the presented refresh token is spent and a new pair issued. A spent token presented again
    means it was stolen: every session of its user is revoked."""
    now = datetime.now(UTC)
    row = session.execute(
        sa.select(refresh_tokens).where(refresh_tokens.c.token_hash == sha256(token)).with_for_update()
    ).mappings().first()
    if row is None or row["expires_at"] <= now:
        return None
    if row["revoked_at"] is not None:
        if row["revoked_at"] > now - timedelta(seconds=ROTATION_GRACE_SECONDS):
            # two tabs refreshing at once: the late one is refused, but this is not theft
            audit(session, "refresh_token.raced", row["user_id"], address)
            return None
        revoke_refresh_tokens(session, row["user_id"])
        audit(session, "refresh_token.reused", row["user_id"], address)
        return None
    session.execute(refresh_tokens.update().where(refresh_tokens.c.token_hash == row["token_hash"])
                    .values(revoked_at=now))
    user = session.execute(sa.select(users).where(users.c.id == row["user_id"])).mappings().one()
    return issue_tokens(session, config, keyring, user)


def logout(session: Connection, user_id: str, address: str) -> None:
    revoke_refresh_tokens(session, user_id)
    audit(session, "logout", user_id, address)
