"""Use cases of the auth service. Each runs inside one unit of work (the caller's session)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ecars_common import outbox
from ecars_common.events import new_envelope
from ecars_common.logs import request_id_var
from services.auth import domain
from services.auth.config import Config
from services.auth.orm import audit_log, users, verification_codes


def audit(session: Session, action: str, user_id: str | None, client_address: str, **details) -> None:
    """Security audit trail. Never give it a password or a code."""
    session.execute(
        audit_log.insert().values(action=action, user_id=user_id, client_address=client_address,
                                  request_id=request_id_var.get(), details=details)
    )


def request_verification_code(session: Session, config: Config, email: str, client_address: str) -> None:
    """« Envoyer le code de vérification ». Whatever happens, the caller learns nothing about
    whether the account exists: the same work is done and the same answer is given."""
    now = datetime.now(UTC)
    code = domain.new_verification_code()
    code_hash = domain.hash_code(config.code_secret, email, code)
    user = session.execute(sa.select(users).where(users.c.email == email)).mappings().first()
    if user is None:
        audit(session, "verification_code.unknown_email", None, client_address, email=email)
        return
    sent_last_hour = session.execute(
        sa.select(sa.func.count()).where(
            verification_codes.c.user_id == user["id"],
            verification_codes.c.created_at > now - timedelta(hours=1),
        )
    ).scalar_one()
    if sent_last_hour >= config.code_max_sends_per_hour:
        audit(session, "verification_code.throttled", user["id"], client_address)
        return
    # A new code supersedes the previous ones: only the latest can be used.
    session.execute(
        verification_codes.update()
        .where(verification_codes.c.user_id == user["id"], verification_codes.c.used_at.is_(None))
        .values(expires_at=now)
    )
    expires_at = now + timedelta(minutes=config.code_ttl_minutes)
    session.execute(
        verification_codes.insert().values(
            user_id=user["id"], code_hash=code_hash, created_at=now, expires_at=expires_at
        )
    )
    event = domain.VerificationCodeRequested(
        user_id=user["id"], email=user["email"], civilite=user["civilite"], nom=user["nom"],
        prenom=user["prenom"], code=code, expires_at=expires_at.isoformat(),
    )
    publish(session, "auth.verification_code.requested", event.__dict__)
    audit(session, "verification_code.sent", user["id"], client_address)


def publish(session: Session, type: str, data: dict) -> None:
    outbox.add(session, "auth", new_envelope(type, data, source="auth", correlation_id=request_id_var.get()))
