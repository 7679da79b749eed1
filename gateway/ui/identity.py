"""Who is signed in (guide 000 §1, guide 004 « Se connecter »): « Connexion », « Se déconnecter » and « Renouveler
le mot de passe » (the email, the verification code, the new password with its rules). « Mon compte » is
gateway/ui/account.py."""

import contextlib
import time

from flask import flash, redirect, render_template, request, session, url_for

from ecars_common.errors import ApiError
from gateway.ui.pages import INVALID_EMAIL, SIGNED_OUT, field_errors, page_blueprint, safe_next
from gateway.ui.password_form import password_errors, password_policy, rule_states
from gateway.ui.session import (
    UNAVAILABLE,
    SessionExpired,
    anonymous_call,
    api_error,
    call,
    fresh_session,
    signed_in,
    start_session,
    unexpected,
)

bp = page_blueprint("identity")

FIRST_LOGIN = ("Lors de votre première connexion, vous devez obligatoirement réinitialiser le mot de passe que vous "
               "avez reçu par email.")
INVALID_CREDENTIALS = "Adresse email ou mot de passe incorrect."
RESET_EXPIRED = "La demande de renouvellement a expiré : recommencez avec un nouveau code de vérification."
RENEWED_SIGN_IN = ("Votre mot de passe a été modifié. Par sécurité, vous avez été déconnecté de tous les appareils : "
                   "vous pouvez vous connecter.")
USER_AGENT_MAX = 300  # what auth keeps of it (the device shown in « Mon compte »)
RESET_KEYS = ("reset_email", "reset_token", "reset_expires_at")


# -- Connexion ------------------------------------------------------------------------------------

def login_form(email: str = "", errors: dict | None = None, failure: str | None = None, status: int = 200):
    return render_template("login.html", email=email, errors=errors or {}, failure=failure,
                           suivant=request.values.get("suivant", "")), status


@bp.get("/")
def home():
    if signed_in():
        return redirect(url_for("home.home_page"))
    return login_form()


@bp.get("/connexion")
def login_page():
    if signed_in():
        return redirect(safe_next(request.args.get("suivant")))
    return login_form(email=request.args.get("email", ""))


@bp.post("/connexion")
def login_submit():
    """« Se connecter »."""
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    errors = {}
    if not email:
        errors["email"] = "Renseignez votre adresse email."
    if not password:
        errors["password"] = "Renseignez votre mot de passe."  # noqa: S105 (a message, not a password)
    if errors:
        return login_form(email, errors, status=422)
    try:
        answer = anonymous_call("auth", "POST", "/login", json={"email": email, "password": password},
                                headers={"User-Agent": request.user_agent.string[:USER_AGENT_MAX]})
    except ApiError:
        return login_form(email, failure=UNAVAILABLE, status=503)
    if answer.status_code == 200:
        start_session(answer.json(), keep=("kept_form",))
        return redirect(safe_next(request.form.get("suivant")))
    code, message, details = api_error(answer)
    if answer.status_code == 403 and code == "password_reset_required":
        return redirect(url_for("identity.password_reset_page", email=email, premiere=1))
    if answer.status_code == 429:
        return login_form(email, failure=message or "Trop de tentatives : réessayez plus tard.", status=429)
    if answer.status_code == 401:
        return login_form(email, failure=INVALID_CREDENTIALS, status=401)
    if answer.status_code == 422 and code == "validation_failed":
        return login_form(email, field_errors(details, {"password": "Mot de passe"}) or {"email": INVALID_EMAIL},
                          status=422)
    return login_form(email, failure=UNAVAILABLE if answer.status_code >= 500 else message or UNAVAILABLE,
                      status=503 if answer.status_code >= 500 else answer.status_code)


@bp.post("/deconnexion")
def logout():
    """« Se déconnecter »: auth ends its session (tokens refused everywhere), the gateway deletes its own: the
    cookie, copied or not, opens nothing any more."""
    if signed_in():
        with contextlib.suppress(SessionExpired, ApiError):  # signed out here anyway; the token expires soon
            call("auth", "POST", "/logout")
    fresh_session()
    flash(SIGNED_OUT, "info")
    return redirect(url_for("identity.login_page"))


# -- Renouveler le mot de passe -------------------------------------------------------------------

def reset_grant() -> str | None:
    if session.get("reset_token") and session.get("reset_expires_at", 0) > time.time():
        return session["reset_token"]
    return None


def forget_reset() -> None:
    for key in RESET_KEYS:
        session.pop(key, None)


@bp.get("/mot-de-passe")
def password_reset_page():
    """« Renouveler le mot de passe », screen 1: the email."""
    return render_template("password_request.html", email=request.args.get("email", ""), errors={},
                           first_login=FIRST_LOGIN if request.args.get("premiere") == "1" else None)


@bp.post("/mot-de-passe")
def password_reset_send_code():
    """« Envoyer le code de vérification »."""
    email = request.form.get("email", "").strip()
    errors = {}
    if not email:
        errors["email"] = "Renseignez votre adresse email."
    else:
        try:
            answer = anonymous_call("auth", "POST", "/password-reset/code", json={"email": email})
        except ApiError:
            return render_template("password_request.html", email=email, errors={}, failure=UNAVAILABLE), 503
        if answer.status_code == 202:
            forget_reset()
            session["reset_email"] = email
            flash(answer.json()["message"], "success")
            return redirect(url_for("identity.password_code_page"))
        errors = _field_errors(answer)
    return render_template("password_request.html", email=email, errors=errors), 422


def _field_errors(answer) -> dict:
    code, message, details = api_error(answer)
    if not code:
        return {"_": "Une erreur est survenue. Réessayez dans quelques instants."}
    if code == "validation_failed" and "email" in details:
        return {"email": INVALID_EMAIL}
    return {"_": message or "Une erreur est survenue."}


@bp.get("/mot-de-passe/code")
def password_code_page():
    """Screen 2: « Code de vérification » → « Vérifier le code », then « Continuer »."""
    return render_template("password_code.html", email=session.get("reset_email", ""), errors={},
                           verified=reset_grant() is not None)


@bp.post("/mot-de-passe/code")
def password_code_verify():
    email = request.form.get("email", "").strip()
    code = request.form.get("code", "").strip()
    errors = {}
    if not email:
        errors["email"] = "Renseignez votre adresse email."
    if not code:
        errors["code"] = "Renseignez le code de vérification reçu par email."
    if not errors:
        answer = anonymous_call("auth", "POST", "/password-reset/verify", json={"email": email, "code": code})
        if answer.status_code == 200:
            grant = answer.json()
            session["reset_email"] = email
            session["reset_token"] = grant["reset_token"]
            session["reset_expires_at"] = int(time.time()) + int(grant.get("expires_in") or 600)
            return redirect(url_for("identity.password_code_page"))
        error_code, message, details = api_error(answer)
        if error_code == "invalid_code":
            errors["code"] = message
        elif error_code == "validation_failed" and "email" in details:
            errors["email"] = INVALID_EMAIL
        elif error_code == "validation_failed" and "code" in details:
            errors["code"] = "Code de vérification invalide ou expiré."
        else:
            raise unexpected(answer)
    forget_reset()
    return render_template("password_code.html", email=email, errors=errors, verified=False), 422


@bp.get("/mot-de-passe/nouveau")
def password_new_page():
    """Screen 3: the new password twice, with « REGLES DU MOT DE PASSE »."""
    if reset_grant() is None:
        flash(RESET_EXPIRED, "error")
        return redirect(url_for("identity.password_reset_page"))
    return render_template("password_new.html", policy=password_policy(), states={}, errors={},
                           email=session.get("reset_email", ""))


@bp.post("/mot-de-passe/nouveau")
def password_new_submit():
    token = reset_grant()
    if token is None:
        flash(RESET_EXPIRED, "error")
        return redirect(url_for("identity.password_reset_page"))
    password = request.form.get("password", "")
    confirmation = request.form.get("confirmation", "")
    answer = anonymous_call("auth", "POST", "/password-reset/complete",
                            json={"reset_token": token, "password": password, "confirmation": confirmation})
    email = session.get("reset_email", "")
    if answer.status_code == 200:
        forget_reset()
        flash(RENEWED_SIGN_IN, "success")
        return redirect(url_for("identity.login_page", email=email))
    code, message, details = api_error(answer)
    if code == "invalid_reset_token":
        forget_reset()
        flash(message or RESET_EXPIRED, "error")
        return redirect(url_for("identity.password_reset_page", email=email))
    if code != "weak_password":
        raise unexpected(answer)
    policy = password_policy()
    errors, unmet = password_errors(details)
    return render_template("password_new.html", policy=policy, states=rule_states(unmet, policy), errors=errors,
                           email=email), 422
