"""« Mon compte »: personal details and password change."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.auth import passwords
from services.auth.login import locked_for, record_failure
from services.auth.orm import users
from services.auth.records import audit
from services.auth.reset import set_password

EDITABLE = ("civilite", "nom", "prenom", "fonction", "telephone")


def get_user(session: Connection, user_id: str):
    return session.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()


def update_details(session: Connection, user_id: str, changes: dict, address: str):
    session.execute(users.update().where(users.c.id == user_id).values(**changes))
    audit(session, "account.details_changed", user_id, address, fields=sorted(changes))
    return get_user(session, user_id)


def change_password(session: Connection, config, user_id: str, current: str, password: str, confirmation: str,
                    address: str):
    """Returns ("locked", seconds), ("wrong_current", None), ("weak", [rules]) or ("ok", None). Wrong
    current passwords count toward the account's lock, like failed logins: a stolen session cannot
    be used to guess the password."""
    user = get_user(session, user_id)
    now = datetime.now(UTC)
    account_key = f"account:{user['email']}"
    remaining = locked_for(session, [account_key], now)
    if remaining:
        return "locked", remaining
    if not passwords.verify_password(user["password_hash"], current):
        audit(session, "password.change_refused", user_id, address)
        if record_failure(session, config, account_key, config.account_max_failures, now):
            audit(session, "account.locked", user_id, address)
            return "locked", config.lock_minutes * 60
        return "wrong_current", None
    unmet = passwords.unmet_rules(password, confirmation, user["email"])
    if unmet:
        return "weak", unmet
    set_password(session, user, password, address, "password.changed")
    return "ok", None
