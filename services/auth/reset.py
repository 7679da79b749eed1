"""« Renouveler le mot de passe »: send a code, verify it, set the new password (guide 000 §1)."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection

from services.auth import domain, passwords, sessions, throttle
from services.auth.audit import audit, person, publish
from services.auth.config import Config
from services.auth.orm import habilitations, reset_grants, users, verification_codes


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def user_by_email(session: Connection, email: str, lock: bool = False):
    query = sa.select(users).where(users.c.email == email)
    return session.execute(query.with_for_update() if lock else query).mappings().first()


def request_code(session: Connection, config: Config, email: str, client_address: str) -> None:
    """« Envoyer le code de vérification ». Whatever happens, the caller learns nothing about
    whether the account exists: the same work is done and the same answer is given."""
    now = datetime.now(UTC)
    code = domain.new_verification_code()
    code_hash = domain.hash_code(config.code_secret, email, code)
    user = user_by_email(session, email)
    if user is None:
        audit(session, "verification_code.unknown_email", None, client_address, email=email)
        return
    sent_last_hour = session.execute(
        sa.select(sa.func.count()).where(
            verification_codes.c.user_id == user["id"], verification_codes.c.created_at > now - timedelta(hours=1)
        )
    ).scalar_one()
    if sent_last_hour >= config.code_max_sends_per_hour:
        audit(session, "verification_code.throttled", user["id"], client_address)
        return
    # A new code supersedes the previous ones: only the latest can be used.
    session.execute(
        verification_codes.update()
        .where(verification_codes.c.user_id == user["id"], verification_codes.c.expires_at > now)
        .values(expires_at=now)
    )
    expires_at = now + timedelta(minutes=config.code_ttl_minutes)
    session.execute(verification_codes.insert().values(
        user_id=user["id"], code_hash=code_hash, created_at=now, expires_at=expires_at))
    publish(session, "auth.verification_code.requested",
            {**person(user), "code": code, "expires_at": expires_at.isoformat()})
    audit(session, "verification_code.sent", user["id"], client_address)


def verify_code(session: Connection, config: Config, email: str, code: str, client_address: str) -> str | None:
    """« Vérifier le code »: a valid code is used up and exchanged for a short-lived reset grant (its
    token returned once, kept hashed). Wrong codes count; the fifth invalidates the code."""
    now = datetime.now(UTC)
    code_hash = domain.hash_code(config.code_secret, email, code)
    user = user_by_email(session, email)
    row = None
    if user is not None:
        row = session.execute(
            sa.select(verification_codes)
            .where(verification_codes.c.user_id == user["id"], verification_codes.c.used_at.is_(None),
                   verification_codes.c.expires_at > now,
                   verification_codes.c.failed_attempts < config.code_max_attempts)
            .order_by(verification_codes.c.created_at.desc()).limit(1).with_for_update()
        ).mappings().first()
    if row is None:
        audit(session, "verification_code.failed", user["id"] if user else None, client_address, reason="no live code")
        return None
    if not secrets.compare_digest(row["code_hash"], code_hash):
        attempts = row["failed_attempts"] + 1
        values = {"failed_attempts": attempts}
        if attempts >= config.code_max_attempts:
            values["expires_at"] = now
        session.execute(verification_codes.update().where(verification_codes.c.id == row["id"]).values(**values))
        audit(session, "verification_code.failed", user["id"], client_address, attempts=attempts)
        return None
    session.execute(verification_codes.update().where(verification_codes.c.id == row["id"]).values(used_at=now))
    token = secrets.token_urlsafe(32)
    session.execute(reset_grants.insert().values(
        token_hash=sha256(token), user_id=user["id"], expires_at=now + timedelta(minutes=config.reset_grant_minutes)))
    audit(session, "verification_code.verified", user["id"], client_address)
    return token


def complete(session: Connection, reset_token: str, password: str, confirmation: str, client_address: str):
    """Step 3: the new password, twice. Returns ("invalid_grant", None), ("weak", [rules]) or ("ok", user)."""
    now = datetime.now(UTC)
    grant = session.execute(
        sa.select(reset_grants).where(reset_grants.c.token_hash == sha256(reset_token),
                                      reset_grants.c.used_at.is_(None), reset_grants.c.expires_at > now)
        .with_for_update()
    ).mappings().first()
    if grant is None:
        return "invalid_grant", None
    user = session.execute(sa.select(users).where(users.c.id == grant["user_id"])).mappings().one()
    # The current password too (ASVS 6.4.1: the one emailed for the first login cannot become the lasting one).
    unmet = passwords.unmet_rules(password, confirmation, user["email"],
                                  passwords.context_of(user, ej_finess(session, user["id"])), user["password_hash"])
    if unmet:
        return "weak", unmet
    session.execute(reset_grants.update().where(reset_grants.c.token_hash == grant["token_hash"]).values(used_at=now))
    set_password(session, user, password, client_address, "password.reset")
    throttle.forget_account(session, user["email"])  # a user who proved they own the mailbox is unlocked
    return "ok", user


def ej_finess(session: Connection, user_id: str) -> list[str]:
    """The FINESS of the EJs the user has a habilitation on: context words of their password."""
    return list(session.execute(sa.select(habilitations.c.scope_id).where(
        habilitations.c.user_id == user_id, habilitations.c.scope_type == "ej")).scalars())


def set_password(session: Connection, user, password: str, client_address: str, action: str,
                 keep_session: str = "") -> None:
    """The new password; every session of the user ends (but `keep_session`, the one changing it)."""
    session.execute(users.update().where(users.c.id == user["id"]).values(
        password_hash=passwords.hash_password(password), must_reset_password=False))
    _, ended = sessions.end_all_sessions(session, user["id"], action, client_address, keep=keep_session,
                                         audited=False)
    audit(session, action, user["id"], client_address, sessions_ended=ended)
    publish(session, "auth.password.changed", {**person(user), "changed_at": datetime.now(UTC).isoformat()})
