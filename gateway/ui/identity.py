"""Who is signed in (guide 000 §1, guide 004 « Se connecter »): « Connexion », « Se déconnecter », « Renouveler
le mot de passe » (the email, the verification code, the new password with its rules) and « Mon compte »
(personal details and password). The rules of a password are the auth service's (GET /password-policy)."""

import contextlib
import time
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for

from ecars_common.errors import ApiError
from gateway.ui.pages import CIVILITES, INVALID_EMAIL, field_errors, login_required, page_blueprint
from gateway.ui.session import (
    UNAVAILABLE,
    SessionExpired,
    anonymous_call,
    api_error,
    call,
    ok_json,
    remember_user,
    signed_in,
    start_session,
    unexpected,
)

bp = page_blueprint("identity")

SIGNED_OUT = "Vous êtes déconnecté."
FIRST_LOGIN = ("Lors de votre première connexion, vous devez obligatoirement réinitialiser le mot de passe que vous "
               "avez reçu par email.")
INVALID_CREDENTIALS = "Adresse email ou mot de passe incorrect."
RESET_EXPIRED = "La demande de renouvellement a expiré : recommencez avec un nouveau code de vérification."
RENEWED_SIGN_IN = "Votre mot de passe a été modifié. Vous pouvez vous connecter."
CHANGED_SIGN_IN_AGAIN = "Mot de passe modifié : reconnectez-vous."
RESET_KEYS = ("reset_email", "reset_token", "reset_expires_at")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.home_page")


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
        answer = anonymous_call("auth", "POST", "/login", json={"email": email, "password": password})
    except ApiError:
        return login_form(email, failure=UNAVAILABLE, status=503)
    if answer.status_code == 200:
        start_session(answer.json())
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
    """« Se déconnecter »: the refresh tokens are revoked by the service, the session forgotten."""
    if signed_in():
        with contextlib.suppress(SessionExpired, ApiError):  # signed out here anyway; the token expires soon
            call("auth", "POST", "/logout")
    session.clear()
    flash(SIGNED_OUT, "info")
    return redirect(url_for("identity.login_page"))


# -- Renouveler le mot de passe -------------------------------------------------------------------

def password_policy() -> dict:
    return ok_json(anonymous_call("auth", "GET", "/password-policy"))


def rule_states(unmet: list[str] | None, policy: dict) -> dict:
    """Each rule's state on the checklist: neutral before any attempt, then valid or error."""
    if unmet is None:
        return {}
    return {rule["rule"]: "error" if rule["rule"] in unmet else "valid" for rule in policy["rules"]}


def password_errors(details: dict) -> tuple[dict, list[str]]:
    """The field errors of a weak_password answer (the mismatch under the confirmation) and the unmet rules."""
    rules = [item for item in details.get("rules", []) if isinstance(item, dict)]
    unmet = [item.get("rule", "") for item in rules]
    errors = {}
    on_password = [item.get("message", "") for item in rules if item.get("rule") != "match"]
    if on_password:
        errors["password"] = on_password
    on_confirmation = [item.get("message", "") for item in rules if item.get("rule") == "match"]
    if on_confirmation:
        errors["confirmation"] = on_confirmation
    return errors, unmet


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


# -- Mon compte -----------------------------------------------------------------------------------

DETAIL_LABELS = {"civilite": "Civilité", "nom": "Nom", "prenom": "Prénom", "fonction": "Fonction",
                 "telephone": "Téléphone"}


def account_page(details: dict | None = None, details_errors: dict | None = None,
                 password_errors_: dict | None = None, states: dict | None = None, status: int = 200):
    account = ok_json(call("auth", "GET", "/me"))
    return render_template("account.html", account=account, details=details or account, civilites=CIVILITES,
                           details_errors=details_errors or {}, password_errors=password_errors_ or {},
                           policy=password_policy(), states=states or {}), status


@bp.get("/mon-compte")
@login_required
def account_view():
    """« Mon compte »: personal details and password."""
    return account_page()


@bp.post("/mon-compte/informations")
@login_required
def account_details_submit():
    details = {name: request.form.get(name, "").strip() for name in DETAIL_LABELS}
    errors = {}
    if details["civilite"] not in CIVILITES:
        errors["civilite"] = "Sélectionnez votre civilité."
    for name in ("nom", "prenom"):
        if not details[name]:
            errors[name] = f"Renseignez le champ « {DETAIL_LABELS[name]} »."
    if not errors:
        answer = call("auth", "PATCH", "/me", json=details)
        if answer.status_code == 200:
            remember_user(answer.json())
            flash("Vos informations ont été enregistrées.", "success")
            return redirect(url_for("identity.account_view"))
        code, _, api_details = api_error(answer)
        if code != "validation_failed":
            raise unexpected(answer)
        errors = field_errors(api_details, DETAIL_LABELS) or {"_": "Les informations saisies ne sont pas valides."}
    return account_page(details=details, details_errors=errors, status=422)


@bp.post("/mon-compte/mot-de-passe")
@login_required
def account_password_submit():
    current = request.form.get("current_password", "")
    password = request.form.get("password", "")
    confirmation = request.form.get("confirmation", "")
    if not current:
        return account_page(password_errors_={"current_password": ["Renseignez votre mot de passe actuel."]},
                            status=422)
    answer = call("auth", "POST", "/me/password",
                  json={"current_password": current, "password": password, "confirmation": confirmation})
    if answer.status_code == 200:
        # The service has closed the other sessions (refresh tokens revoked): sign in again.
        session.clear()
        flash(CHANGED_SIGN_IN_AGAIN, "success")
        return redirect(url_for("identity.login_page"))
    code, _, details = api_error(answer)
    if code == "wrong_current_password":
        return account_page(password_errors_={"current_password": ["Le mot de passe actuel est incorrect."]},
                            status=422)
    if code != "weak_password":
        raise unexpected(answer)
    policy = password_policy()
    errors, unmet = password_errors(details)
    return account_page(password_errors_=errors, states=rule_states(unmet, policy), status=422)


