"""The French web UI, rendered on the server; it calls the services with the same pooled client.

The signed-in user's tokens live in the Flask session (a signed, HttpOnly cookie): `signed_in_call`
sends the access token and renews it once with the refresh token when it has expired."""

import contextlib
import math
import time
from functools import wraps
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from ecars_common.errors import ApiError
from ecars_common.payload import client_address
from gateway import csrf, upstream

bp = Blueprint("web", __name__)
bp.before_request(csrf.protect)

PAGE_SIZE = 20
REFRESH_MARGIN = 30  # seconds before the access token's expiry when it is renewed beforehand
SCOPE_TYPES = ("ej", "contract", "cpom")
CIVILITES = ("M.", "Mme")

UNAVAILABLE = "Le service est momentanément indisponible. Réessayez dans quelques instants."
SESSION_EXPIRED = "Votre session a expiré, reconnectez-vous."
SIGN_IN_FIRST = "Connectez-vous pour accéder à cette page."
SIGNED_OUT = "Vous êtes déconnecté."
FIRST_LOGIN = ("Lors de votre première connexion, vous devez obligatoirement réinitialiser le mot de passe que vous "
               "avez reçu par email.")
INVALID_CREDENTIALS = "Adresse email ou mot de passe incorrect."
RESET_EXPIRED = "La demande de renouvellement a expiré : recommencez avec un nouveau code de vérification."
RENEWED_SIGN_IN = "Votre mot de passe a été modifié. Vous pouvez vous connecter."
CHANGED_SIGN_IN_AGAIN = "Mot de passe modifié : reconnectez-vous."
NOT_ADMINISTRATEUR = "Vous devez disposer d'un profil « Administrateur » pour pouvoir ajouter des accès"
INVALID_EMAIL = "L'adresse email n'est pas valide (exemple : prenom.nom@domaine.fr)."

RESET_KEYS = ("reset_email", "reset_token", "reset_expires_at")


class SessionExpired(Exception):
    """The signed-in user's session cannot be renewed: back to the login page."""


class NotAdministrateur(Exception):
    """The auth service answered 403 not_administrateur."""


# -- Errors met on the pages ----------------------------------------------------------------------

def error_page(status: int, message: str):
    """French page for errors met by people; None for API and technical paths (they get JSON)."""
    if request.path.startswith(("/api/", "/health", "/metrics", "/static")):
        return None
    return render_template("error.html", status=status, message=message), status


@bp.errorhandler(SessionExpired)
def _session_expired(_exc):
    session.clear()
    flash(SESSION_EXPIRED, "info")
    return redirect(url_for("web.login_page", suivant=current_path()))


@bp.errorhandler(NotAdministrateur)
def _not_administrateur(_exc):
    return render_template("forbidden.html", message=NOT_ADMINISTRATEUR), 403


@bp.errorhandler(ApiError)
def _service_error(exc: ApiError):
    """A service unreachable (502), silent (504) or answering what the page did not expect."""
    if exc.status in (502, 503, 504):
        return render_template("error.html", status=503, message=UNAVAILABLE), 503
    return render_template("error.html", status=exc.status, message=exc.message), exc.status


def page_blueprint(name: str) -> Blueprint:
    """A blueprint of web pages: CSRF on its forms, an expired session back to the login page, a service
    error as a French page."""
    pages = Blueprint(name, __name__)
    pages.before_request(csrf.protect)
    pages.register_error_handler(SessionExpired, _session_expired)
    pages.register_error_handler(ApiError, _service_error)
    return pages


def api_error(answer) -> tuple[str, str, dict]:
    """(code, message, details) of a service's error answer."""
    try:
        error = answer.json()["error"]
        return str(error.get("code", "")), str(error.get("message", "")), error.get("details") or {}
    except (ValueError, KeyError, TypeError, AttributeError):
        return "", "", {}


def unexpected(answer) -> ApiError:
    """An answer the page has no place for: shown as an error page with the service's message."""
    code, message, _ = api_error(answer)
    if answer.status_code >= 500 or not message:
        return ApiError(502, code or "upstream_error", UNAVAILABLE)
    return ApiError(answer.status_code, code, message)


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


# -- The session of the signed-in user ------------------------------------------------------------

def current_path() -> str | None:
    return request.full_path.rstrip("?") if request.method == "GET" else None


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.home_page")


def display_name(account: dict) -> str:
    name = f"{account.get('prenom') or ''} {account.get('nom') or ''}".strip()
    return name or account.get("email", "")


def remember_user(account: dict) -> None:
    session["user"] = {"display_name": display_name(account), "role": account.get("role", ""),
                       "email": account.get("email", "")}


def store_tokens(tokens: dict) -> None:
    session["access_token"] = tokens["access_token"]
    session["refresh_token"] = tokens["refresh_token"]
    session["access_expires_at"] = int(time.time()) + int(tokens.get("expires_in") or 0)
    if tokens.get("user"):
        remember_user(tokens["user"])


def start_session(tokens: dict) -> None:
    session.clear()  # nothing of the anonymous session is kept (a new CSRF token too)
    store_tokens(tokens)


def signed_in() -> bool:
    return bool(session.get("access_token"))


def refresh_session() -> None:
    """Renew the access token with the refresh token (spent: the service issues a new pair)."""
    refresh_token = session.get("refresh_token")
    if refresh_token:
        answer = upstream.call("auth", "POST", "/token/refresh", json={"refresh_token": refresh_token},
                               client_address=client_address())
        if answer.status_code == 200:
            store_tokens(answer.json())
            return
    session.clear()
    raise SessionExpired()


def signed_in_call(method: str, path: str, json=None, service: str = "auth"):
    """Call a service as the signed-in user. An expired access token is renewed once (beforehand when it
    is known to have expired, else on a 401 invalid_token); when that fails the session is cleared and
    the person is sent back to the login page (SessionExpired)."""
    if not signed_in():
        raise SessionExpired()
    refreshed = False
    if time.time() >= session.get("access_expires_at", 0) - REFRESH_MARGIN:
        refresh_session()
        refreshed = True
    answer = upstream.call(service, method, path, json=json, client_address=client_address(),
                           token=session["access_token"])
    if answer.status_code == 401 and api_error(answer)[0] in ("invalid_token", "authentication_required"):
        if refreshed:
            session.clear()
            raise SessionExpired()
        refresh_session()
        answer = upstream.call(service, method, path, json=json, client_address=client_address(),
                               token=session["access_token"])
        if answer.status_code == 401:
            session.clear()
            raise SessionExpired()
    return answer


def login_required(view):
    """Pages for signed-in people only: the others go to the login page, and come back after it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not signed_in():
            flash(SIGN_IN_FIRST, "info")
            return redirect(url_for("web.login_page", suivant=current_path()))
        return view(*args, **kwargs)

    return wrapper


@bp.app_context_processor
def _signed_in_user():
    return {"user": session.get("user") if signed_in() else None}


def paginate(items: list) -> dict:
    pages = max(1, math.ceil(len(items) / PAGE_SIZE))
    try:
        page = int(request.args.get("page", "1"))
    except ValueError:
        page = 1
    page = min(max(page, 1), pages)
    return {"rows": items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], "page": page, "pages": pages,
            "total": len(items)}


# -- Connexion ------------------------------------------------------------------------------------

def login_form(email: str = "", errors: dict | None = None, failure: str | None = None, status: int = 200):
    return render_template("login.html", email=email, errors=errors or {}, failure=failure,
                           suivant=request.values.get("suivant", "")), status


@bp.get("/")
def home():
    if signed_in():
        return redirect(url_for("web.home_page"))
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
        answer = upstream.call("auth", "POST", "/login", json={"email": email, "password": password},
                               client_address=client_address())
    except ApiError:
        return login_form(email, failure=UNAVAILABLE, status=503)
    if answer.status_code == 200:
        start_session(answer.json())
        return redirect(safe_next(request.form.get("suivant")))
    code, message, details = api_error(answer)
    if answer.status_code == 403 and code == "password_reset_required":
        return redirect(url_for("web.password_reset_page", email=email, premiere=1))
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
            signed_in_call("POST", "/logout")
    session.clear()
    flash(SIGNED_OUT, "info")
    return redirect(url_for("web.login_page"))


# -- Accueil : « Gestion des Contrats » -----------------------------------------------------------

@bp.get("/accueil")
@login_required
def home_page():
    from gateway.web_contracts import contracts_home  # here: web_contracts imports this module

    listing = contracts_home()  # the EJs with contracts (GET /ej), when the person has some
    if listing is not None:
        return listing
    answer = signed_in_call("GET", "/me/habilitations")
    if answer.status_code != 200:
        raise unexpected(answer)
    finess = sorted({item["scope_id"] for item in answer.json()["items"] if item["scope_type"] == "ej"})
    # The EJ's name, address and phone come from the referential service, not there yet.
    establishments = [{"finess": number, "nom": "", "adresse": "", "telephone": ""} for number in finess]
    return render_template("accueil.html", **paginate(establishments))


# -- Renouveler le mot de passe -------------------------------------------------------------------

def password_policy() -> dict:
    answer = upstream.call("auth", "GET", "/password-policy", client_address=client_address())
    if answer.status_code != 200:
        raise unexpected(answer)
    return answer.json()


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
            answer = upstream.call("auth", "POST", "/password-reset/code", json={"email": email},
                                   client_address=client_address())
        except ApiError:
            return render_template("password_request.html", email=email, errors={}, failure=UNAVAILABLE), 503
        if answer.status_code == 202:
            forget_reset()
            session["reset_email"] = email
            flash(answer.json()["message"], "success")
            return redirect(url_for("web.password_code_page"))
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
        answer = upstream.call("auth", "POST", "/password-reset/verify", json={"email": email, "code": code},
                               client_address=client_address())
        if answer.status_code == 200:
            grant = answer.json()
            session["reset_email"] = email
            session["reset_token"] = grant["reset_token"]
            session["reset_expires_at"] = int(time.time()) + int(grant.get("expires_in") or 600)
            return redirect(url_for("web.password_code_page"))
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
        return redirect(url_for("web.password_reset_page"))
    return render_template("password_new.html", policy=password_policy(), states={}, errors={},
                           email=session.get("reset_email", ""))


@bp.post("/mot-de-passe/nouveau")
def password_new_submit():
    token = reset_grant()
    if token is None:
        flash(RESET_EXPIRED, "error")
        return redirect(url_for("web.password_reset_page"))
    password = request.form.get("password", "")
    confirmation = request.form.get("confirmation", "")
    answer = upstream.call("auth", "POST", "/password-reset/complete",
                           json={"reset_token": token, "password": password, "confirmation": confirmation},
                           client_address=client_address())
    email = session.get("reset_email", "")
    if answer.status_code == 200:
        forget_reset()
        flash(RENEWED_SIGN_IN, "success")
        return redirect(url_for("web.login_page", email=email))
    code, message, details = api_error(answer)
    if code == "invalid_reset_token":
        forget_reset()
        flash(message or RESET_EXPIRED, "error")
        return redirect(url_for("web.password_reset_page", email=email))
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
    answer = signed_in_call("GET", "/me")
    if answer.status_code != 200:
        raise unexpected(answer)
    account = answer.json()
    return render_template("account.html", account=account, details=details or account,
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
        answer = signed_in_call("PATCH", "/me", json=details)
        if answer.status_code == 200:
            remember_user(answer.json())
            flash("Vos informations ont été enregistrées.", "success")
            return redirect(url_for("web.account_view"))
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
    answer = signed_in_call("POST", "/me/password",
                            json={"current_password": current, "password": password, "confirmation": confirmation})
    if answer.status_code == 200:
        # The service has closed the other sessions (refresh tokens revoked): sign in again.
        session.clear()
        flash(CHANGED_SIGN_IN_AGAIN, "success")
        return redirect(url_for("web.login_page"))
    code, _, details = api_error(answer)
    if code == "wrong_current_password":
        return account_page(password_errors_={"current_password": ["Le mot de passe actuel est incorrect."]},
                            status=422)
    if code != "weak_password":
        raise unexpected(answer)
    policy = password_policy()
    errors, unmet = password_errors(details)
    return account_page(password_errors_=errors, states=rule_states(unmet, policy), status=422)


# -- Gestion des habilitations --------------------------------------------------------------------

CONTACT_LABELS = {"civilite": "Civilité", "nom": "Nom", "prenom": "Prénom", "fonction": "Fonction",
                  "email": "Courriel"}


def habilitations_of(scope_type: str, scope_id: str) -> list[dict]:
    if scope_type not in SCOPE_TYPES:
        abort(404)
    answer = signed_in_call("GET", "/habilitations?" + urlencode({"scope_type": scope_type, "scope_id": scope_id}))
    if answer.status_code == 403:
        raise NotAdministrateur()
    if answer.status_code != 200:
        raise unexpected(answer)
    return answer.json()["items"]


def habilitations_page(scope_type: str, scope_id: str, adding: bool = False, contact: dict | None = None,
                       errors: dict | None = None, status: int = 200):
    items = habilitations_of(scope_type, scope_id)
    return render_template("habilitations.html", scope_type=scope_type, scope_id=scope_id, adding=adding,
                           contact=contact or {}, errors=errors or {}, **paginate(items)), status


@bp.get("/habilitations/<scope_type>/<scope_id>")
@login_required
def habilitations_view(scope_type: str, scope_id: str):
    """« Gestion des habilitations » of an EJ, a contract or a CPOM."""
    return habilitations_page(scope_type, scope_id, adding=request.args.get("ajouter") == "1")


@bp.post("/habilitations/<scope_type>/<scope_id>/ajouter")
@login_required
def habilitation_add(scope_type: str, scope_id: str):
    """« Création d'un contact » → « Enregistrer »."""
    if scope_type not in SCOPE_TYPES:
        abort(404)
    contact = {name: request.form.get(name, "").strip() for name in CONTACT_LABELS}
    flags = {name: request.form.get(name) == "oui" for name in ("administrateur", "visibilite_documents_confidentiels")}
    errors = {}
    if contact["civilite"] not in CIVILITES:
        errors["civilite"] = "Sélectionnez la civilité."
    for name in ("nom", "prenom", "fonction", "email"):
        if not contact[name]:
            errors[name] = f"Renseignez le champ « {CONTACT_LABELS[name]} »."
    if not errors:
        answer = signed_in_call("POST", "/habilitations",
                                json={"scope_type": scope_type, "scope_id": scope_id, **contact, **flags})
        if answer.status_code == 403:
            raise NotAdministrateur()
        if answer.status_code == 201:
            item = answer.json()
            if item.get("compte_cree"):
                flash(f"Accès ajouté pour {item['nom_complet']} : un email lui a été envoyé avec ses accès "
                      "personnels.", "success")
            else:
                flash(f"Accès ajouté pour {item['nom_complet']}, qui avait déjà un compte e-CARS.", "success")
            return redirect(url_for("web.habilitations_view", scope_type=scope_type, scope_id=scope_id))
        code, _, details = api_error(answer)
        if code != "validation_failed":
            raise unexpected(answer)
        errors = field_errors(details, CONTACT_LABELS) or {"_": "Les informations saisies ne sont pas valides."}
    return habilitations_page(scope_type, scope_id, adding=True, contact={**contact, **flags}, errors=errors,
                              status=422)


@bp.post("/habilitations/<scope_type>/<scope_id>")
@login_required
def habilitations_validate(scope_type: str, scope_id: str):
    """« Valider »: the flags changed in the table are saved, row by row."""
    items = {item["id"]: item for item in habilitations_of(scope_type, scope_id)}
    administrateurs = set(request.form.getlist("administrateur"))
    visibles = set(request.form.getlist("visibilite"))
    changed = 0
    for row_id in request.form.getlist("ligne"):
        item = items.get(row_id)
        if item is None:
            continue  # removed meanwhile, or not of this scope
        changes = {}
        if (row_id in administrateurs) != bool(item["administrateur"]):
            changes["administrateur"] = row_id in administrateurs
        if (row_id in visibles) != bool(item["visibilite_documents_confidentiels"]):
            changes["visibilite_documents_confidentiels"] = row_id in visibles
        if changes:
            answer = signed_in_call("PATCH", f"/habilitations/{row_id}", json=changes)
            if answer.status_code == 403:
                raise NotAdministrateur()
            if answer.status_code != 200:
                raise unexpected(answer)
            changed += 1
    if changed:
        flash(f"Modifications enregistrées ({changed} accès modifié{'s' if changed > 1 else ''}).", "success")
    else:
        flash("Aucune modification à enregistrer.", "info")
    return redirect(url_for("web.habilitations_view", scope_type=scope_type, scope_id=scope_id,
                            page=request.form.get("page") or None))
