"""The support team's account page (« Comptes et sessions », ASVS 5.0 7.4.2, 7.4.5): find a person by their email,
end every session of theirs, « Désactiver le compte » and « Réactiver le compte ».

A disabled account signs in no more (the right password is answered « compte désactivé », a wrong one as any wrong
one: nobody learns the account is disabled without its password) and every session of it ends at once: its refresh
tokens are revoked and its access tokens refused everywhere within the revocation poll (services/auth/sessions.py).
Reactivating gives back the sign-in, not the sessions. The support team may disable any account but an admin's and
their own; an admin any but their own. Each change is audited (`account.disabled`, `account.enabled`, with who)."""

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.roles import ADMIN
from ecars_common.tokens import Identity
from services.auth import sessions
from services.auth.audit import audit
from services.auth.orm import sessions as session_rows
from services.auth.orm import users

SUMMARY = sa.select(users.c.id, users.c.email, users.c.civilite, users.c.nom, users.c.prenom, users.c.role,
                    users.c.disabled_at, users.c.must_reset_password,
                    sa.select(sa.func.count()).where(session_rows.c.user_id == users.c.id, sessions.LIVE)
                    .scalar_subquery().label("open_sessions"))


def summary(row) -> dict:
    return {"id": row.id, "email": row.email, "civilite": row.civilite, "nom": row.nom, "prenom": row.prenom,
            "role": row.role, "actif": row.disabled_at is None,
            "desactive_le": row.disabled_at.isoformat() if row.disabled_at else None,
            "premiere_connexion_attendue": row.must_reset_password, "sessions_ouvertes": row.open_sessions}


def find(session: Connection, email: str) -> dict | None:
    row = session.execute(SUMMARY.where(users.c.email == email.lower())).first()
    return summary(row) if row else None


def of_id(session: Connection, user_id: str) -> dict | None:
    row = session.execute(SUMMARY.where(users.c.id == user_id)).first()
    return summary(row) if row else None


def refusal(by: Identity, target: dict) -> str:
    """Why `by` may not disable `target` ("" if they may)."""
    if target["id"] == by.user_id:
        return "Vous ne pouvez pas désactiver votre propre compte."
    if target["role"] == ADMIN and by.role != ADMIN:
        return "Seul un administrateur peut désactiver le compte d'un administrateur."
    return ""


def disable(session: Connection, by: Identity, target: dict, address: str) -> int:
    """Disable the account and end its sessions; returns how many ended (0 if it was disabled already)."""
    changed = session.execute(users.update().where(users.c.id == target["id"], users.c.disabled_at.is_(None))
                              .values(disabled_at=sa.func.now(), disabled_by=by.user_id).returning(users.c.id)).first()
    if changed is None:
        return 0
    audit(session, "account.disabled", target["id"], address, by=by.user_id)
    return sessions.end_all_sessions(session, target["id"], "account_disabled", address)[1]


def enable(session: Connection, by: Identity, target: dict, address: str) -> None:
    changed = session.execute(users.update().where(users.c.id == target["id"], users.c.disabled_at.is_not(None))
                              .values(disabled_at=None, disabled_by=None).returning(users.c.id)).first()
    if changed is not None:
        audit(session, "account.enabled", target["id"], address, by=by.user_id)
