"""The plumbing every page shares: the blueprint factory (CSRF, an expired session back to the login page, a
service's error as a French page), the error pages, « pages for signed-in people only », field errors tied
to the form's fields, paging."""

import math
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for

from ecars_common import roles
from ecars_common.errors import ApiError
from gateway import csrf
from gateway.ui.session import (
    UNAVAILABLE,
    SessionExpired,
    api_error,
    has_role,
    session_ended,
    signed_in,
    unexpected,
    user,
    user_id_of_session,
)

PAGE_SIZE = 20
SESSION_EXPIRED = "Votre session a expiré, reconnectez-vous."
SIGNED_OUT = "Vous êtes déconnecté."
FORM_KEPT = ("Votre session a expiré, reconnectez-vous : ce que vous aviez saisi a été conservé et vous sera proposé "
             "à nouveau.")
# Never kept for later: secrets, and what only makes sense at once.
NOT_KEPT = ("csrf_token", "password", "current_password", "confirmation", "code", "suivant")
# Forms whose sending after the end of the session is not a form to keep.
NOT_KEEPING = ("session_time.prolong",)
KEPT_FORM_MAX = 100_000  # characters: a bigger form is not kept (the session row stays small)
SIGN_IN_FIRST = "Connectez-vous pour accéder à cette page."
INVALID_EMAIL = "L'adresse email n'est pas valide (exemple : prenom.nom@domaine.fr)."
# The civilités the auth service accepts (services/auth/api.py): it does not serve them yet.
CIVILITES = ("M.", "Mme")


# -- Errors met on the pages ----------------------------------------------------------------------

def error_page(status: int, message: str):
    """French page for errors met by people; None for API and technical paths (they get JSON)."""
    if request.path.startswith(("/api/", "/health", "/metrics", "/static")):
        return None
    return render_template("error.html", status=status, message=message), status


def current_path() -> str | None:
    return request.full_path.rstrip("?") if request.method == "GET" else None


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("home.home_page")


def form_page() -> str:
    """The page a form was sent from (the Referer: same origin only, Referrer-Policy: same-origin)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return safe_next(None)
    return safe_next(referrer.path + (f"?{referrer.query}" if referrer.query else ""))


def keep_form(user_id: str) -> bool:
    """Keep what a form sent after its session ended, to offer it back once signed in again (RGAA 13.1.4)."""
    fields = {name: values for name, values in request.form.lists() if name not in NOT_KEPT}
    if not fields or sum(len(v) for values in fields.values() for v in values) > KEPT_FORM_MAX:
        return False
    session["kept_form"] = {"path": urlsplit(form_page()).path, "fields": fields, "user_id": user_id,
                            "at": int(time.time())}
    return True


def _back_to_login(user_id: str = ""):
    """The session is over: to « Se connecter », then back to the page; a form being sent is kept."""
    if request.method == "POST":
        flash_once(FORM_KEPT if keep_form(user_id) else SESSION_EXPIRED, "info")
        return redirect(url_for("identity.login_page", suivant=form_page()))
    flash(SESSION_EXPIRED, "info")
    return redirect(url_for("identity.login_page", suivant=current_path()))


def flash_once(message: str, category: str) -> None:
    """A message for the next page, unless it already waits there (a draft's script may send the form again)."""
    if [category, message] not in [list(waiting) for waiting in session.get("_flashes", [])]:
        flash(message, category)


def _session_expired(_exc):
    return _back_to_login(getattr(session, "ended_user_id", ""))


def _ended_session_form():
    """before_request, ahead of the CSRF check: a form sent with the cookie of an ended session (timed out,
    revoked) is kept rather than refused as « expiré »; so is one sent again from the same page before signing in
    (the session then holds the form kept first: an indicator's draft sent by its script, then « Enregistrer »),
    which replaces it."""
    if request.method != "POST" or signed_in():
        return None
    kept_before = session.get("kept_form") or {}
    sent_again = bool(kept_before) and kept_before.get("path") == urlsplit(form_page()).path
    if not (session_ended() or sent_again):
        return None
    if request.endpoint == "identity.logout":  # already over: nothing to end
        flash(SIGNED_OUT, "info")
        return redirect(url_for("identity.login_page"))
    if request.endpoint in NOT_KEEPING:
        return None
    return _back_to_login(getattr(session, "ended_user_id", "") or kept_before.get("user_id", ""))


def _service_error(exc: ApiError):
    """A service unreachable (502), silent (504) or answering what the page did not expect."""
    if exc.status in (502, 503, 504):
        return render_template("error.html", status=503, message=UNAVAILABLE), 503
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


def see_other(response):
    """Redirect after POST, everywhere: a form's success (or a refusal shown on another page) answers 303 See Other,
    so that the browser GETs the next page and reloading it or going Back never sends the form again. A refused
    form shown again with what was typed answers 4xx (422, 409…), never 200."""
    if request.method == "POST" and response.status_code in (301, 302, 307):
        response.status_code = 303
    return response


def page_blueprint(name: str, **template_globals) -> Blueprint:
    """A blueprint of web pages: CSRF on its forms, an expired session back to the login page, a service
    error as a French page. `template_globals`: helpers its templates call (globals, so that macros imported
    without the context see them too)."""
    pages = Blueprint(name, __name__)
    pages.before_request(_ended_session_form)
    pages.before_request(csrf.protect)
    pages.after_request(see_other)
    pages.register_error_handler(SessionExpired, _session_expired)
    pages.register_error_handler(ApiError, _service_error)
    if template_globals:
        pages.record_once(lambda state: state.app.jinja_env.globals.update(template_globals))
    return pages


def signed_in_user() -> dict:
    """Context processor of the app: the signed-in person shown in the header, on every page, whether they run
    self-evaluation campaigns (the ARS's links), the idle timeout the page warns of, a form kept for this page."""
    return {"user": user() if signed_in() else None, "is_authority": runs_campaigns, "kept_form": kept_form_here,
            "session_idle_seconds": current_app.config["SETTINGS"].session_idle_seconds}


def kept_form_here() -> dict | None:
    """The form kept when the session ended (keep_form), offered once on the page it was sent from, to the
    person who sent it once they are signed in again."""
    kept = session.get("kept_form")
    if not kept or request.method != "GET" or kept.get("path") != request.path:
        return None
    if kept.get("user_id") and not signed_in():
        return None  # after « Se connecter »
    session.pop("kept_form")
    if kept.get("user_id") and kept["user_id"] != user_id_of_session():
        return None  # someone else signed in with this browser
    return kept


def runs_campaigns() -> bool:
    return has_role(roles.CAMPAIGN_AUTHORITIES)


def login_required(view):
    """Pages for signed-in people only: the others go to the login page, and come back after it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not signed_in():
            if session_ended():
                return _back_to_login(getattr(session, "ended_user_id", ""))
            flash(SIGN_IN_FIRST, "info")
            return redirect(url_for("identity.login_page", suivant=current_path()))
        return view(*args, **kwargs)

    return wrapper


def require_role(group: tuple[str, ...], message: str) -> None:
    """A 403 page unless the signed-in person's role is one of `group` (ecars_common/roles.py)."""
    if not has_role(group):
        abort(403, message)


# -- Forms ----------------------------------------------------------------------------------------

def field_errors(details: dict, labels: dict) -> dict:
    """French messages tied to the form's fields, from a validation_failed answer's details."""
    errors = {}
    for name, detail in (details or {}).items():
        if name == "email":
            errors[name] = INVALID_EMAIL
        elif name in labels and detail == "obligatoire":
            errors[name] = f"Renseignez le champ « {labels[name]} »."
        elif name in labels:
            errors[name] = f"« {labels[name]} » : {detail}."
    return errors


def flash_refusal(answer, success: str | None = None) -> None:
    """After a button's action: its success, or the service's refusal, flashed on the page it goes back to."""
    if answer.status_code in (200, 201):
        if success:
            flash(success, "success")
        return
    _, message, _ = api_error(answer)
    if answer.status_code >= 500 or not message:
        raise unexpected(answer)
    flash(message, "error")


def upload_refused(answer, upload) -> str:
    """After session.send_document: "" when the document was added (said in a flash), else the documents
    service's reason, for the form's file field; a server error is an error page."""
    if answer.status_code == 201:
        flash(f"Votre document « {answer.json().get('name', upload.filename)} » a été ajouté.", "success")
        return ""
    if answer.status_code >= 500:
        raise unexpected(answer)
    return api_error(answer)[1] or "Le document n'a pas pu être ajouté."


def upload_refused_back(url: str, at: str, message: str):
    """A refused upload: back to the page of the form (303, so no form is sent again on reload), the reason kept
    in the session for the file field of the form at `at` (upload_refusal_for)."""
    session["upload_error"] = {"at": at, "message": message}
    return redirect(url, 303)


def upload_refusal_for(at: str) -> str:
    """The reason upload_refused_back() left for the form at `at`, once; "" if none."""
    left = session.get("upload_error")
    if not left or left.get("at") != at:
        return ""
    session.pop("upload_error")
    return left.get("message", "")


# -- Paging ---------------------------------------------------------------------------------------

def page_count(total: int) -> int:
    return max(1, math.ceil(total / PAGE_SIZE))


def paginate(items: list) -> dict:
    pages = page_count(len(items))
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    page = min(max(page, 1), pages)
    return {"rows": items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], "page": page, "pages": pages,
            "total": len(items)}
