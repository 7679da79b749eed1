"""HTTP API of the auth service, its sessions part: « Mon compte »'s sessions (one per device), « Se déconnecter
de tous les appareils », and the revocations feed that every token verifier polls (the support team's ending of a
person's sessions: api_accounts.py)."""

from flask import Blueprint, current_app, jsonify, request

from ecars_common.app import settings, unit_of_work
from ecars_common.errors import ApiError
from ecars_common.payload import bool_field, client_address, is_uuid, json_object
from ecars_common.tokens import authenticated, current_identity
from services.auth import account, sessions

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
    """End one of my sessions (another device, or this one)."""
    identity = current_identity()
    ended = False
    if is_uuid(session_id):
        with unit_of_work() as session:
            ended = sessions.end_session(session, identity.user_id, session_id, "ended_by_user", client_address())
    if not ended:
        raise ApiError(404, "not_found", "Session introuvable ou déjà fermée.")
    return "", 204


@bp.post("/me/sessions/end-all")
@authenticated
def end_all_my_sessions():
    """« Se déconnecter de tous les appareils »; with keep_current, every other one (new tokens for this one)."""
    keep_current = bool_field(json_object(), "keep_current")
    with unit_of_work() as session:
        count, tokens = account.end_all_sessions(session, settings(), current_app.extensions["keyring"],
                                                 current_identity(), keep_current, client_address())
    message = ("Vos autres sessions ont été fermées." if keep_current
               else "Vous avez été déconnecté de tous les appareils.")
    return jsonify({"message": message, "ended": count, **({"tokens": tokens} if tokens else {})})
