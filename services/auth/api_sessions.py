"""HTTP API of the auth service, its sessions part: « Mon compte »'s sessions (one per device), « Se déconnecter
de tous les appareils », and the revocations feed that every token verifier polls (the support team's ending of a
person's sessions: api_accounts.py)."""

from flask import Blueprint, current_app, jsonify, request

from ecars_common.app import settings, unit_of_work
from ecars_common.errors import ApiError
from ecars_common.payload import bool_field, client_address, is_uuid, json_object
from ecars_common.tokens import authenticated, current_identity
from services.auth import account, sessions
from services.auth.refusals import current_password_of, refuse_current_password

bp = Blueprint("auth_sessions", __name__)


@bp.get("/token-revocations")
def token_revocations():
    """The feed every token verifier polls (ecars_common/revocations.py). It names users and sessions by hashes
    of their ids only; no token needed, as for the JWKS (the services read it on the internal network)."""
    since = request.args.get("since")
    try:
        since_value = float(since) if since is not None else None
    except ValueError:
        since_value = None
    if since is not None and (since_value is None or not 0 <= since_value < 1e11):
        raise ApiError(422, "validation_failed", "Le paramètre « since » doit être un instant en secondes (epoch).",
                       {"since": "nombre de secondes attendu"})
    with unit_of_work() as session:
        return jsonify(sessions.feed(session, since_value, settings().revocation_keep_seconds))


@bp.get("/me/sessions")
@authenticated
def my_sessions():
    identity = current_identity()
    with unit_of_work() as session:
        return jsonify({"items": sessions.listing(session, identity.user_id, identity.session_id)})


@bp.delete("/me/sessions/<session_id>")
@authenticated
def end_my_session(session_id: str):
    """End one of my sessions: this one (a logout), or another device's with my current password (ASVS 5.0 7.5.2),
    in a JSON body {"current_password": "…"}."""
    identity = current_identity()
    current = current_password_of(json_object()) if request.get_data() else ""
    status = "not_found"
    if is_uuid(session_id):
        with unit_of_work() as session:
            status, result = account.end_my_session(session, settings(), identity, session_id, current,
                                                    client_address())
    if status == "not_found":
        raise ApiError(404, "not_found", "Session introuvable ou déjà fermée.")
    refuse_ending(status, result)
    return "", 204


@bp.post("/me/sessions/end-all")
@authenticated
def end_all_my_sessions():
    """« Se déconnecter de tous les appareils »; with keep_current, every other one (new tokens for this one). When
    another device's session would end, my current password (`current_password`, ASVS 5.0 7.5.2)."""
    data = json_object()
    keep_current = bool_field(data, "keep_current")
    current = current_password_of(data)
    with unit_of_work() as session:
        status, result = account.end_all_sessions(session, settings(), current_app.extensions["keyring"],
                                                  current_identity(), keep_current, current, client_address())
    refuse_ending(status, result)
    count, tokens = result
    message = ("Vos autres sessions ont été fermées." if keep_current
               else "Vous avez été déconnecté de tous les appareils.")
    return jsonify({"message": message, "ended": count, **({"tokens": tokens} if tokens else {})})


def refuse_ending(status: str, result) -> None:
    """Outside the unit of work, so that a wrong password counts (like a failed login) even though nothing ends."""
    if status == "password_required":
        raise ApiError(422, "validation_failed", "Pour fermer la session d'un autre appareil, saisissez votre mot de "
                                                 "passe actuel.", {"current_password": "obligatoire"})
    refuse_current_password(status, result)
