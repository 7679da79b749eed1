"""« Se connecter », token refresh and logout, behind the throttle on password guessing (throttle.py)."""

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.tokens import Identity
from services.auth import passwords, sessions, throttle
from services.auth.audit import audit, person, publish
from services.auth.config import Config
from services.auth.keys import KeyRing
from services.auth.orm import refresh_tokens, users
from services.auth.reset import sha256, user_by_email

ROTATION_GRACE_SECONDS = 30


@dataclass
class Outcome:
    status: str  # ok | invalid | slowed | locked | reset_required | disabled
    tokens: dict = field(default_factory=dict)
    retry_after: int = 0


def identity_of(user, session_id: str = "") -> Identity:
    return Identity(user_id=str(user["id"]), email=user["email"], role=user["role"], region=user["region"],
                    departement=user["departement"], session_id=session_id or "")


def issue_tokens(session: Connection, config: Config, keyring: KeyRing, user, session_id: str) -> dict:
    """A new refresh token in the session, and an access token naming it."""
    refresh = secrets.token_urlsafe(32)
    session.execute(refresh_tokens.insert().values(
        token_hash=sha256(refresh), user_id=user["id"], session_id=session_id,
        expires_at=datetime.now(UTC) + timedelta(days=config.refresh_token_days)))
    not_before = session.execute(sa.select(users.c.tokens_not_before).where(users.c.id == user["id"])).scalar_one()
    access = keyring.issue(identity_of(user, session_id), not_before_ms=sessions.epoch_ms(not_before))
    return {"access_token": access, "refresh_token": refresh, "token_type": "Bearer",
            "expires_in": config.access_token_seconds, "user": public_user(user)}


def public_user(user) -> dict:
    return {key: user[key] for key in ("id", "email", "civilite", "nom", "prenom", "fonction", "telephone", "role",
                                       "region", "departement")}


def refused(session: Connection, config: Config, verdict: throttle.Verdict, user_id, address: str) -> Outcome:
    action = "login.refused_locked" if verdict.status == "locked" else "login.throttled"
    throttle.audit_flood(session, config, action, user_id, address)
    return Outcome(verdict.status, retry_after=verdict.retry_after)


def login(session: Connection, config: Config, keyring: KeyRing, email: str, password: str, address: str,
          user_agent: str = "") -> Outcome:
    now = datetime.now(UTC)
    user = user_by_email(session, email)
    user_id = user["id"] if user else None
    verdict = throttle.check(session, email, address, now)
    if verdict.status != "open":  # refused before the password is even hashed
        return refused(session, config, verdict, user_id, address)
    if not passwords.verify_password(user["password_hash"] if user else None, password):
        account_locked, address_locked = throttle.failed(session, config, email, address, now)
        throttle.audit_flood(session, config, "login.failed", user_id, address)
        if account_locked and user is not None:
            audit(session, "account.locked", user_id, address)
            publish(session, "auth.account.locked", {
                **person(user), "locked_until": (now + timedelta(minutes=config.lock_minutes)).isoformat()})
        if account_locked or address_locked:
            return Outcome("locked", retry_after=config.lock_minutes * 60)
        return Outcome("invalid")
    throttle.succeeded(session, email, address)
    if user["disabled_at"] is not None:  # told only to whoever knows the password (services/auth/disabling.py)
        audit(session, "login.refused_disabled", user_id, address)
        return Outcome("disabled")
    if user["must_reset_password"]:
        audit(session, "login.reset_required", user_id, address)
        return Outcome("reset_required")
    if passwords.needs_rehash(user["password_hash"]):
        session.execute(users.update().where(users.c.id == user_id).values(
            password_hash=passwords.hash_password(password)))
    session_id = sessions.open_session(session, user_id, user_agent, address)
    audit(session, "login.succeeded", user_id, address, session_id=session_id)
    return Outcome("ok", tokens=issue_tokens(session, config, keyring, user, session_id))


def refresh(session: Connection, config: Config, keyring: KeyRing, token: str, address: str) -> dict | None:
    """Rotate: the presented refresh token is spent and a new pair issued in the same session. A spent token
    presented again means it was stolen: every session of its user ends."""
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
        sessions.end_all_sessions(session, row["user_id"], "refresh_token_reused", address, audited=False)
        audit(session, "refresh_token.reused", row["user_id"], address)
        return None
    session.execute(refresh_tokens.update().where(refresh_tokens.c.token_hash == row["token_hash"])
                    .values(revoked_at=now))
    # a refresh token from before sessions existed gets one
    session_id = row["session_id"] or sessions.open_session(session, row["user_id"], "", address)
    if not sessions.touch(session, session_id):
        return None
    user = session.execute(sa.select(users).where(users.c.id == row["user_id"])).mappings().one()
    return issue_tokens(session, config, keyring, user, session_id)


def logout(session: Connection, identity: Identity, address: str) -> None:
    """« Se déconnecter »: this session ends (its refresh tokens, and its access tokens within seconds)."""
    if not identity.session_id or not sessions.end_session(session, identity.user_id, identity.session_id, "logout",
                                                           address, audited=False):
        # a token from before sessions existed: its user's refresh tokens without a session are revoked
        session.execute(refresh_tokens.update().where(refresh_tokens.c.user_id == identity.user_id,
                                                      refresh_tokens.c.session_id.is_(None),
                                                      refresh_tokens.c.revoked_at.is_(None))
                        .values(revoked_at=sa.func.now()))
    audit(session, "logout", identity.user_id, address)
