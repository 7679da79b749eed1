"""« Mon compte » (guide 004): personal details, the password, and the person's open sessions — one per device,
with when each was last seen and a button to end it, « Se déconnecter de tous les appareils » (ASVS 5.0 7.4.3,
7.5.2). Auth holds the sessions (GET /me/sessions…); the gateway ends its own web sessions with them."""

import contextlib
from datetime import datetime

from flask import flash, redirect, render_template, request, session, url_for

from ecars_common.errors import ApiError
from gateway.ui.french import moment
from gateway.ui.pages import CIVILITES, SIGNED_OUT, field_errors, login_required, page_blueprint
from gateway.ui.password_form import password_errors, password_policy, rule_states
from gateway.ui.session import (
    SessionExpired,
    api_error,
    call,
    fresh_session,
    ok_json,
    remember_user,
    store,
    store_tokens,
    unexpected,
    user_id_of_session,
)

bp = page_blueprint("account", moment=moment)

DETAIL_LABELS = {"civilite": "Civilité", "nom": "Nom", "prenom": "Prénom", "fonction": "Fonction",
                 "telephone": "Téléphone"}
PASSWORD_CHANGED = "Votre mot de passe a été modifié. Vos sessions ouvertes sur les autres appareils ont été fermées."  # noqa: S105
CHANGED_SIGN_IN_AGAIN = "Mot de passe modifié : reconnectez-vous."
SESSION_ENDED = "La session a été fermée."
OTHERS_ENDED = "Vos autres sessions ont été fermées."
PHONE_NEEDS_PASSWORD = "Pour changer de numéro de téléphone, saisissez votre mot de passe actuel."  # noqa: S105
WRONG_CURRENT = "Le mot de passe actuel est incorrect."  # noqa: S105
SESSIONS_NEED_PASSWORD = ("Pour fermer la session d'un autre appareil, saisissez votre mot de passe actuel "  # noqa: S105
                          "(au-dessus de la liste des sessions).")
# (pattern in the User-Agent, name shown), the first that matches: Edge and Opera say « Chrome » too.
BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
           ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_of(user_agent: str) -> str:
    """« Firefox sous Windows », from the User-Agent the browser sent when signing in."""
    browser = next((name for pattern, name in BROWSERS if pattern in user_agent), "")
    system = next((name for pattern, name in SYSTEMS if pattern in user_agent), "")
    if browser and system:
        return f"{browser} sous {system}"
    return browser or system or ("Application" if user_agent else "Appareil inconnu")


def open_sessions() -> list[dict]:
    """The person's open sessions, this one first, then by when they were last seen (by the gateway's own record
    of each web session when it has one: more recent than auth's, which sees the token renewals only)."""
    items = ok_json(call("auth", "GET", "/me/sessions"))["items"]
    seen = store().last_seen_by_auth_session(user_id_of_session())
    for item in items:
        item["device"] = device_of(item.get("user_agent") or "")
        moments = [datetime.fromisoformat(item["last_used_at"]), *([seen[item["id"]]] if item["id"] in seen else [])]
        item["last_seen"] = max(moments).isoformat()
    return sorted(items, key=lambda item: (not item["current"], -datetime.fromisoformat(item["last_seen"]).timestamp()))


def account_page(details: dict | None = None, details_errors: dict | None = None,
                 password_errors_: dict | None = None, states: dict | None = None, status: int = 200,
                 policy: dict | None = None, sessions_errors: dict | None = None):
    account = ok_json(call("auth", "GET", "/me"))
    return render_template("account.html", account=account, details=details or account, civilites=CIVILITES,
                           details_errors=details_errors or {}, password_errors=password_errors_ or {},
                           sessions_errors=sessions_errors or {},
                           policy=policy or password_policy(), states=states or {}, sessions=open_sessions(),
                           offer_end_all=session.pop("offer_end_all", False)), status


@bp.get("/mon-compte")
@login_required
def account_view():
    """« Mon compte »: personal details, password, open sessions."""
    return account_page()


@bp.post("/mon-compte/informations")
@login_required
def account_details_submit():
    """« Enregistrer mes informations »; a new phone number needs the current password (ASVS 5.0 7.5.1)."""
    details = {name: request.form.get(name, "").strip() for name in DETAIL_LABELS}
    errors = {}
    if details["civilite"] not in CIVILITES:
        errors["civilite"] = "Sélectionnez votre civilité."
    for name in ("nom", "prenom"):
        if not details[name]:
            errors[name] = f"Renseignez le champ « {DETAIL_LABELS[name]} »."
    if errors:
        return account_page(details=details, details_errors=errors, status=422)
    current = request.form.get("current_password", "")
    answer = call("auth", "PATCH", "/me", json={**details, "current_password": current})
    if answer.status_code == 200:
        remember_user(answer.json())
        flash("Vos informations ont été enregistrées.", "success")
        return redirect(url_for("account.account_view"))
    code, message, api_details = api_error(answer)
    refused = current_password_refused(code, message, lambda said, status: account_page(
        details=details, details_errors={"current_password": said}, status=status))
    if refused is not None:
        return refused
    if code == "validation_failed" and "current_password" in api_details:
        errors = {"current_password": PHONE_NEEDS_PASSWORD}
    elif code == "validation_failed":
        errors = field_errors(api_details, DETAIL_LABELS) or {"_": "Les informations saisies ne sont pas valides."}
    else:
        raise unexpected(answer)
    return account_page(details=details, details_errors=errors, status=422)


def current_password_refused(code: str, message: str, page):
    """Auth's refusal of the « Mot de passe actuel » typed in one of the page's forms: the lock it caused (back to
    « Se connecter »), or what to say beside the field, through `page(said, status)`; None for another refusal."""
    if code == "login_locked":
        return locked_out(message)
    if code == "login_throttled":
        return page(message, 429)
    if code == "wrong_current_password":
        return page(WRONG_CURRENT, 422)
    return None


def locked_out(message: str):
    """The attempts locked the account (auth ended this session) or this address: back to « Se connecter »."""
    with contextlib.suppress(SessionExpired, ApiError):
        call("auth", "POST", "/logout")
    fresh_session()
    flash(message, "error")
    return redirect(url_for("identity.login_page"))


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
    code, message, details = api_error(answer)
    if answer.status_code == 200:
        tokens = answer.json().get("tokens")
        if not tokens:  # a session auth did not keep: sign in again
            fresh_session()
            flash(CHANGED_SIGN_IN_AGAIN, "success")
            return redirect(url_for("identity.login_page"))
        # Auth ended every other session and renewed this one's tokens: so do the gateway's web sessions.
        store_tokens(tokens)
        store().end_of_user(user_id_of_session(), keep_sid=session.sid)
        session["offer_end_all"] = True
        flash(PASSWORD_CHANGED, "success")
        return redirect(url_for("account.account_view"))
    refused = current_password_refused(code, message, lambda said, status: account_page(
        password_errors_={"current_password": [said]}, status=status))
    if refused is not None:
        return refused
    if code != "weak_password":
        raise unexpected(answer)
    policy = password_policy()
    errors, unmet = password_errors(details)
    return account_page(password_errors_=errors, states=rule_states(unmet, policy), status=422, policy=policy)


# -- Sessions ---------------------------------------------------------------------------------------

@bp.post("/mon-compte/sessions/<uuid:session_id>/fermer")
@login_required
def end_one_session(session_id):
    """« Fermer cette session »: another device's, or this one (then signed out here)."""
    session_id = str(session_id)
    current = (session.get("claims") or {}).get("sid") == session_id
    answer = call("auth", "DELETE", f"/me/sessions/{session_id}",
                  json={"current_password": request.form.get("current_password", "")})
    if answer.status_code not in (204, 404):
        return ending_refused(answer)
    user_id = user_id_of_session()
    store().end_of_auth_session(user_id, session_id)
    if current:
        fresh_session()
        flash(SIGNED_OUT, "info")
        return redirect(url_for("identity.login_page"))
    flash(SESSION_ENDED if answer.status_code == 204 else api_error(answer)[1], "success")
    return redirect(url_for("account.account_view", _anchor="sessions-titre"))


@bp.post("/mon-compte/sessions/fermer-les-autres")
@login_required
def end_other_sessions():
    """« Fermer mes autres sessions »: every device but this one (the current password asked: ASVS 5.0 7.5.2)."""
    answer = call("auth", "POST", "/me/sessions/end-all",
                  json={"keep_current": True, "current_password": request.form.get("current_password", "")})
    if answer.status_code != 200:
        return ending_refused(answer)
    body = answer.json()
    if body.get("tokens"):
        store_tokens(body["tokens"])
    store().end_of_user(user_id_of_session(), keep_sid=session.sid)
    flash(OTHERS_ENDED, "success")
    return redirect(url_for("account.account_view", _anchor="sessions-titre"))


@bp.post("/mon-compte/sessions/fermer-toutes")
@login_required
def end_all_sessions():
    """« Se déconnecter de tous les appareils », this one included (the current password when another device's
    session is still open; not right after a password change, which ended them)."""
    answer = call("auth", "POST", "/me/sessions/end-all",
                  json={"keep_current": False, "current_password": request.form.get("current_password", "")})
    if answer.status_code != 200:
        return ending_refused(answer)
    message = answer.json().get("message") or "Vous avez été déconnecté de tous les appareils."
    store().end_of_user(user_id_of_session())
    fresh_session()
    flash(message, "info")
    return redirect(url_for("identity.login_page"))


def ending_refused(answer):
    """Auth refused to end another device's session without the right current password: said beside the field (what
    was typed is never shown back), or the lock it caused."""
    code, message, details = api_error(answer)
    refused = current_password_refused(code, message, lambda said, status: account_page(
        sessions_errors={"current_password": said}, status=status))
    if refused is not None:
        return refused
    if code == "validation_failed" and "current_password" in details:
        return account_page(sessions_errors={"current_password": SESSIONS_NEED_PASSWORD}, status=422)
    raise unexpected(answer)
