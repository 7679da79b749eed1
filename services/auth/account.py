"""« Mon compte »: personal details, password change and the person's sessions."""

import re
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.tokens import Identity
from services.auth import passwords, sessions, throttle
from services.auth.audit import audit
from services.auth.config import Config
from services.auth.keys import KeyRing
from services.auth.login import issue_tokens
from services.auth.orm import refresh_tokens, users
from services.auth.reset import ej_finess, set_password

EDITABLE = ("civilite", "nom", "prenom", "fonction", "telephone")
# « Format attendu : 01 22 33 44 55 »: ten digits from 0, or +33 and nine, spaced, dotted, dashed or not
PHONE = re.compile(r"^(?:0|\+33 ?\(?0?\)?)([1-9])(?:[ .-]?\d{2}){4}$")


def phone_number(raw: str) -> str | None:
    """The number as the hint shows it (« 01 22 33 44 55 »), "" for none, None if it is not a French number."""
    text = raw.strip()
    if not text:
        return ""
    if not PHONE.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    digits = "0" + digits[-9:]
    return " ".join(digits[i:i + 2] for i in range(0, 10, 2))


def get_user(session: Connection, user_id: str):
    return session.execute(sa.select(users).where(users.c.id == user_id)).mappings().first()


def update_details(session: Connection, config: Config, identity: Identity, changes: dict, current: str,
                   address: str) -> tuple[str, object]:
    """« Mon compte »'s details. A new phone number needs the current password (ASVS 5.0 7.5.1), checked as
    « Changer mon mot de passe » checks it (`check_current`). Returns ("ok", user), ("password_required", None) or
    what `check_current` refuses with."""
    user = get_user(session, identity.user_id)
    if "telephone" in changes and changes["telephone"] != user["telephone"]:
        if not current:
            return "password_required", None
        status, result = check_current(session, config, identity, user, current, address, "details")
        if status != "ok":
            return status, result
    session.execute(users.update().where(users.c.id == identity.user_id).values(**changes))
    audit(session, "account.details_changed", identity.user_id, address, fields=sorted(changes))
    return "ok", get_user(session, identity.user_id)


def check_current(session: Connection, config: Config, identity: Identity, user, current: str, address: str,
                  change: str) -> tuple[str, int | None]:
    """The current password asked before a change (`change`: "password" or "details", naming the audit rows
    `<change>.change_refused` / `<change>.change_throttled`). Returns ("ok", None), ("slowed" | "locked", seconds)
    or ("wrong_current", None). Wrong current passwords count like failed logins (throttle.py): a stolen session
    cannot be used to guess the password, and the session that locks the account ends."""
    now = datetime.now(UTC)
    verdict = throttle.check(session, user["email"], address, now)
    if verdict.status != "open":
        throttle.audit_flood(session, config, f"{change}.change_throttled", user["id"], address)
        return verdict.status, verdict.retry_after
    if not passwords.verify_password(user["password_hash"], current):
        throttle.audit_flood(session, config, f"{change}.change_refused", user["id"], address)
        account_locked, address_locked = throttle.failed(session, config, user["email"], address, now)
        if account_locked:
            audit(session, "account.locked", user["id"], address)
            if identity.session_id:
                sessions.end_session(session, user["id"], identity.session_id, "account_locked", address)
        if account_locked or address_locked:
            return "locked", config.lock_minutes * 60
        return "wrong_current", None
    throttle.succeeded(session, user["email"], address)
    return "ok", None


def change_password(session: Connection, config: Config, keyring: KeyRing, identity: Identity, current: str,
                    password: str, confirmation: str, address: str, ej_names: list[str]):
    """Returns ("slowed" | "locked", seconds), ("wrong_current", None), ("weak", [rules]) or ("ok", tokens):
    new tokens for this session, the only one still open (tokens is {} for a token without a session)."""
    user = get_user(session, identity.user_id)
    status, result = check_current(session, config, identity, user, current, address, "password")
    if status != "ok":
        return status, result
    context = passwords.context_of(user, [*ej_finess(session, user["id"]), *ej_names])
    unmet = passwords.unmet_rules(password, confirmation, user["email"], context, user["password_hash"])
    if unmet:
        return "weak", unmet
    set_password(session, user, password, address, "password.changed", keep_session=identity.session_id)
    return "ok", renewed_tokens(session, config, keyring, identity)


def renewed_tokens(session: Connection, config: Config, keyring: KeyRing, identity: Identity) -> dict:
    """New tokens for the session that ended every other: its access token was cut with them."""
    if not identity.session_id:
        return {}
    session.execute(refresh_tokens.update().where(refresh_tokens.c.session_id == identity.session_id,
                                                  refresh_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=sa.func.now()))
    return issue_tokens(session, config, keyring, get_user(session, identity.user_id), identity.session_id)


def confirm_ending(session: Connection, config: Config, identity: Identity, current: str, address: str,
                   others: bool) -> tuple[str, int | None]:
    """Ending another device's session asks the current password (ASVS 5.0 7.5.2): a session taken over cannot sign
    its owner out of their other devices. Ending only this one (a logout) does not (`others` False). Returns ("ok",
    None), ("password_required", None) or what `check_current` refuses with."""
    if not others:
        return "ok", None
    if not current:
        return "password_required", None
    return check_current(session, config, identity, get_user(session, identity.user_id), current, address, "sessions")


def end_my_session(session: Connection, config: Config, identity: Identity, session_id: str, current: str,
                   address: str) -> tuple[str, int | None]:
    """« Fermer cette session »: ("not_found", None) when it is not one of my live sessions, else as
    `confirm_ending` (another device's asks the current password), then ended."""
    if not sessions.is_live(session, identity.user_id, session_id):
        return "not_found", None
    status, result = confirm_ending(session, config, identity, current, address, session_id != identity.session_id)
    if status == "ok":
        sessions.end_session(session, identity.user_id, session_id, "ended_by_user", address)
    return status, result


def end_all_sessions(session: Connection, config: Config, keyring: KeyRing, identity: Identity, keep_current: bool,
                     current: str, address: str) -> tuple[str, object]:
    """« Se déconnecter de tous les appareils » (or every other one, `keep_current`): ("ok", (how many sessions
    ended, new tokens if this one is kept)), or as `confirm_ending` when another device's session would end."""
    others = sessions.others_live(session, identity.user_id, identity.session_id)
    status, result = confirm_ending(session, config, identity, current, address, others)
    if status != "ok":
        return status, result
    keep = identity.session_id if keep_current else ""
    _, count = sessions.end_all_sessions(session, identity.user_id, "logout_everywhere", address, keep=keep)
    return "ok", (count, renewed_tokens(session, config, keyring, identity) if keep else {})
