"""CSRF protection of the web UI's forms: a per-session token, sent back in a hidden field."""

import hmac
import secrets

from flask import abort, request, session


def token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def protect() -> None:
    """before_request of the web blueprint: every form POST must carry the session's token."""
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        sent = request.form.get("csrf_token", "")
        if not sent or not hmac.compare_digest(sent, session.get("csrf", "")):
            abort(400, "Le formulaire a expiré : rechargez la page et recommencez.")
