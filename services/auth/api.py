"""HTTP API of the auth service (reached as /api/auth/… through the gateway)."""

from flask import Blueprint, current_app, jsonify, request

from ecars_common.app import settings, unit_of_work
from ecars_common.delegation import ask_as_caller
from ecars_common.errors import ApiError
from ecars_common.payload import bool_field, choice_field, client_address, is_uuid, json_object, string_field
from ecars_common.tokens import authenticated, current_identity
from services.auth import account, domain, habilitations, login, passwords, reset, territory
from services.auth.refusals import current_password_of, refuse_current_password, slowed

bp = Blueprint("auth", __name__)

CODE_SENT_MESSAGE = (
    "Si un compte correspond à cette adresse, un code de vérification vient d'y être envoyé. "
    "Il est valable {minutes} minutes."
)
CIVILITES = ("M.", "Mme")




def email_field(data: dict, name: str = "email") -> str:
    email = domain.normalise_email(string_field(data, name, max_length=254))
    if not domain.is_valid_email(email):
        raise ApiError(422, "validation_failed", "L'adresse email n'est pas valide.", {name: "adresse email invalide"})
    return email


def weak_password(rules: list[str]) -> ApiError:
    return ApiError(422, "weak_password",
                    "Le mot de passe ne respecte pas les règles : " + " ".join(passwords.MESSAGES[r] for r in rules),
                    {"rules": [{"rule": r, "message": passwords.MESSAGES[r]} for r in rules]})


def password_fields(data: dict) -> tuple[str, str]:
    # Not stripped: spaces are allowed in a password.
    values = []
    for name in ("password", "confirmation"):
        value = data.get(name)
        if not isinstance(value, str):
            raise ApiError(422, "validation_failed", f"Le champ « {name} » est obligatoire.", {name: "obligatoire"})
        values.append(value[:1000])
    return values[0], values[1]


# -- Renouveler le mot de passe -------------------------------------------------------------------

@bp.get("/password-policy")
def password_policy():
    return jsonify({"min_length": passwords.MIN_LENGTH, "max_length": passwords.MAX_LENGTH,
                    "rules": [{"rule": rule, "label": label} for rule, label, _ in passwords.RULES]})


@bp.post("/password-reset/code")
def send_verification_code():
    """Step 1: « Envoyer le code de vérification »."""
    email = email_field(json_object())
    with unit_of_work() as session:
        reset.request_code(session, settings(), email, client_address())
    return jsonify({"message": CODE_SENT_MESSAGE.format(minutes=settings().code_ttl_minutes)}), 202


@bp.post("/password-reset/verify")
def verify_code():
    """Step 2: « Vérifier le code »; answers a reset token valid 10 minutes."""
    data = json_object()
    email = email_field(data)
    code = string_field(data, "code", max_length=20)
    with unit_of_work() as session:
        token = reset.verify_code(session, settings(), email, code, client_address())
    if token is None:
        raise ApiError(422, "invalid_code", "Code de vérification invalide ou expiré. Demandez un nouveau code si "
                                            "besoin.", {"code": "invalide ou expiré"})
    return jsonify({"reset_token": token, "expires_in": settings().reset_grant_minutes * 60})


@bp.post("/password-reset/complete")
def complete_reset():
    """Step 3: the new password twice → « Continuer »."""
    data = json_object()
    token = string_field(data, "reset_token", max_length=200)
    password, confirmation = password_fields(data)
    with unit_of_work() as session:
        status, rules = reset.complete(session, token, password, confirmation, client_address())
    if status == "invalid_grant":
        raise ApiError(422, "invalid_reset_token", "La demande de renouvellement a expiré : recommencez avec un "
                                                   "nouveau code de vérification.")
    if status == "weak":
        raise weak_password(rules)
    return jsonify({"message": "Votre mot de passe a été modifié. Vous pouvez vous connecter."})


# -- Se connecter ---------------------------------------------------------------------------------

@bp.post("/login")
def sign_in():
    data = json_object()
    email = domain.normalise_email(string_field(data, "email", max_length=254))
    password = data.get("password")
    if not isinstance(password, str) or not password:
        raise ApiError(422, "validation_failed", "Le champ « password » est obligatoire.", {"password": "obligatoire"})
    with unit_of_work() as session:
        outcome = login.login(session, settings(), current_app.extensions["keyring"], email, password[:1000],
                              client_address(), request.headers.get("User-Agent", ""))
    if outcome.status == "slowed":
        raise slowed(outcome.retry_after)
    if outcome.status == "locked":
        minutes = max(1, round(outcome.retry_after / 60))
        error = ApiError(429, "login_locked", "Trop de tentatives de connexion infructueuses. Par sécurité, la "
                                              f"connexion est bloquée : réessayez dans {minutes} minute(s) ou "
                                              "renouvelez votre mot de passe.", {"retry_after": outcome.retry_after})
        raise error
    if outcome.status == "invalid":
        raise ApiError(401, "invalid_credentials", "Adresse email ou mot de passe incorrect.")
    if outcome.status == "disabled":
        raise ApiError(403, "account_disabled", "Votre compte est désactivé : contactez l'équipe support e-CARS.")
    if outcome.status == "reset_required":
        raise ApiError(403, "password_reset_required", "Lors de votre première connexion, vous devez obligatoirement "
                                                       "réinitialiser le mot de passe que vous avez reçu par email.")
    return jsonify(outcome.tokens)


@bp.post("/token/refresh")
def refresh_token():
    token = string_field(json_object(), "refresh_token", max_length=200)
    with unit_of_work() as session:
        tokens = login.refresh(session, settings(), current_app.extensions["keyring"], token, client_address())
    if tokens is None:
        raise ApiError(401, "invalid_refresh_token", "Session expirée : reconnectez-vous.")
    return jsonify(tokens)


@bp.post("/logout")
@authenticated
def sign_out():
    with unit_of_work() as session:
        login.logout(session, current_identity(), client_address())
    return "", 204


@bp.get("/.well-known/jwks.json")
def jwks():
    return jsonify(current_app.extensions["keyring"].jwks())


# -- Mon compte -----------------------------------------------------------------------------------

@bp.get("/me")
@authenticated
def me():
    with unit_of_work() as session:
        user = account.get_user(session, current_identity().user_id)
    if user is None:
        raise ApiError(401, "invalid_token", "Compte introuvable : reconnectez-vous.")
    return jsonify(login.public_user(user))


@bp.patch("/me")
@authenticated
def update_me():
    data = json_object()
    changes = {}
    for name in account.EDITABLE:
        if name in data:
            if name == "civilite":
                changes[name] = choice_field(data, name, CIVILITES)
            elif name == "telephone":
                changes[name] = account.phone_number(string_field(data, name, max_length=30, required=False))
                if changes[name] is None:
                    raise ApiError(422, "validation_failed", "Le numéro de téléphone doit comporter 10 chiffres, au "
                                                             "format 01 22 33 44 55.",
                                   {"telephone": "10 chiffres attendus, au format 01 22 33 44 55"})
            else:
                changes[name] = string_field(data, name, max_length=100, required=name in ("nom", "prenom"))
    if not changes:
        raise ApiError(422, "validation_failed", "Aucune donnée à modifier.",
                       {"fields": "attendus : " + ", ".join(account.EDITABLE)})
    current = current_password_of(data)
    with unit_of_work() as session:
        status, result = account.update_details(session, settings(), current_identity(), changes, current,
                                                client_address())
    if status == "password_required":
        raise ApiError(422, "validation_failed", "Pour changer de numéro de téléphone, saisissez votre mot de passe "
                                                 "actuel.", {"current_password": "obligatoire"})
    refuse_current_password(status, result)
    return jsonify(login.public_user(result))


@bp.post("/me/password")
@authenticated
def change_my_password():
    data = json_object()
    current = data.get("current_password")
    if not isinstance(current, str) or not current:
        raise ApiError(422, "validation_failed", "Le mot de passe actuel est obligatoire.",
                       {"current_password": "obligatoire"})
    password, confirmation = password_fields(data)
    names = ej_names(current_identity().user_id)  # asked of cpom before the unit of work
    with unit_of_work() as session:
        status, result = account.change_password(session, settings(), current_app.extensions["keyring"],
                                                 current_identity(), current[:1000], password, confirmation,
                                                 client_address(), names)
    refuse_current_password(status, result)
    if status == "weak":
        raise weak_password(result)
    return jsonify({"message": "Votre mot de passe a été modifié. Vos autres sessions ont été fermées.",
                    **({"tokens": result} if result else {})})


def ej_names(user_id: str) -> list[str]:
    """The names of the caller's EJs, as cpom shows them to the caller: context words of a new password. Left out
    when cpom does not answer (the FINESS are still checked)."""
    with unit_of_work() as session:
        finess = reset.ej_finess(session, user_id)
    names = []
    for number in finess[:10]:
        try:
            status, body = ask_as_caller("cpom", f"/ej/{number}")
        except ApiError:
            break
        if status == 200 and isinstance(body, dict):
            name = body.get("raison_sociale")
            if isinstance(name, str):
                names.append(name)
    return names


@bp.get("/me/habilitations")
@authenticated
def my_habilitations():
    with unit_of_work() as session:
        return jsonify({"items": habilitations.of_user(session, current_identity().user_id)})


# -- Gestion des habilitations --------------------------------------------------------------------

def scope_from(data: dict) -> tuple[str, str]:
    return choice_field(data, "scope_type", habilitations.SCOPES), string_field(data, "scope_id", max_length=100)


def require_territory(scope_type: str, scope_id: str) -> None:
    """An ARS or a CD manages the accesses of its territory only. Asked of cpom and contracts over HTTP
    (services/auth/territory.py): called before the unit of work, so no transaction stays open meanwhile."""
    if current_identity().role in ("ars", "cd") and not territory.in_territory(scope_type, scope_id):
        raise ApiError(403, "hors_territoire", "Ce périmètre ne relève pas de votre territoire : vous ne pouvez pas "
                                               "en gérer les accès.")


def require_manager(session, scope_type: str, scope_id: str) -> None:
    if not habilitations.can_manage(session, current_identity(), scope_type, scope_id):
        raise ApiError(403, "not_administrateur", "Vous devez disposer d'un profil « Administrateur » pour gérer "
                                                  "les accès.")


@bp.get("/habilitations")
@authenticated
def list_habilitations():
    scope_type, scope_id = scope_from(request.args.to_dict())
    require_territory(scope_type, scope_id)
    with unit_of_work() as session:
        require_manager(session, scope_type, scope_id)
        return jsonify({"items": habilitations.listing(session, scope_type, scope_id)})


@bp.post("/habilitations")
@authenticated
def add_habilitation():
    data = json_object()
    scope_type, scope_id = scope_from(data)
    contact = {"civilite": choice_field(data, "civilite", CIVILITES),
               "nom": string_field(data, "nom", max_length=100), "prenom": string_field(data, "prenom", max_length=100),
               "fonction": string_field(data, "fonction", max_length=100), "email": email_field(data)}
    flags = {"administrateur": bool_field(data, "administrateur"),
             "visibilite_documents_confidentiels": bool_field(data, "visibilite_documents_confidentiels")}
    require_territory(scope_type, scope_id)
    with unit_of_work() as session:
        require_manager(session, scope_type, scope_id)
        item, created = habilitations.grant(session, current_identity(), scope_type, scope_id, contact, flags,
                                            client_address())
    return jsonify({**item, "compte_cree": created}), 201


def found_habilitation(session, habilitation_id: str) -> dict:
    item = habilitations.find(session, habilitation_id) if is_uuid(habilitation_id) else None
    if item is None:
        raise ApiError(404, "not_found", "Habilitation introuvable.")
    return item


def managed_habilitation(session, habilitation_id: str) -> dict:
    """The habilitation, if the caller manages its scope (its territory was checked before the unit of work,
    by require_territory_of)."""
    item = found_habilitation(session, habilitation_id)
    require_manager(session, item["scope_type"], item["scope_id"])
    return item


def require_territory_of(habilitation_id: str) -> None:
    with unit_of_work() as session:
        item = found_habilitation(session, habilitation_id)
    require_territory(item["scope_type"], item["scope_id"])


@bp.patch("/habilitations/<habilitation_id>")
@authenticated
def change_habilitation(habilitation_id: str):
    data = json_object()
    flags = {name: bool_field(data, name) for name in ("administrateur", "visibilite_documents_confidentiels")
             if name in data}
    if not flags:
        raise ApiError(422, "validation_failed", "Aucune donnée à modifier.",
                       {"fields": "administrateur, visibilite_documents_confidentiels"})
    require_territory_of(habilitation_id)
    with unit_of_work() as session:
        item = habilitations.change(session, current_identity(), managed_habilitation(session, habilitation_id),
                                    flags, client_address())
    if item is None:  # revoked by another request meanwhile
        raise ApiError(404, "not_found", "Habilitation introuvable.")
    return jsonify(item)


@bp.delete("/habilitations/<habilitation_id>")
@authenticated
def revoke_habilitation(habilitation_id: str):
    require_territory_of(habilitation_id)
    with unit_of_work() as session:
        habilitations.revoke(session, current_identity(), managed_habilitation(session, habilitation_id),
                             client_address())
    return "", 204
