"""« Mon compte »: personal details and password change."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.auth import passwords
from services.auth.orm import users
from services.auth.records import audit
from services.auth.reset import set_password

EDITABLE = ("civilite", "nom", "prenom", "fonction", "telephone")


def get_user(session: Session, user_id: str):
    return session.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()


def update_details(session: Session, user_id: str, changes: dict, address: str):
    session.execute(users.update().where(users.c.id == user_id).values(**changes))
    audit(session, "account.details_changed", user_id, address, fields=sorted(changes))
    return get_user(session, user_id)


def change_password(session: Session, user_id: str, current: str, password: str, confirmation: str, address: str):
    """Returns ("wrong_current", None), ("weak", [rules]) or ("ok", None)."""
    user = get_user(session, user_id)
    if not passwords.verify_password(user["password_hash"], current):
        audit(session, "password.change_refused", user_id, address)
        return "wrong_current", None
    unmet = passwords.unmet_rules(password, confirmation, user["email"])
    if unmet:
        return "weak", unmet
    set_password(session, user, password, address, "password.changed")
    return "ok", None
