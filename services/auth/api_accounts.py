"""HTTP API of the auth service, the support team's part (« Comptes et sessions », services/auth/disabling.py): find
a person by their email, end every session of theirs, disable and reactivate their account. Support and admin
only."""

from flask import Blueprint, jsonify, request

from ecars_common import roles
from ecars_common.app import unit_of_work
from ecars_common.errors import ApiError
from ecars_common.payload import client_address, is_uuid
from ecars_common.tokens import authenticated, current_identity
from services.auth import disabling, domain, sessions

bp = Blueprint("auth_accounts", __name__)


def require_support() -> None:
    if current_identity().role not in roles.SUPPORT_ROLES:
        raise ApiError(403, "forbidden", "Réservé à l'équipe support.")


def target(session, user_id: str) -> dict:
    found = disabling.of_id(session, user_id) if is_uuid(user_id) else None
    if found is None:
        raise ApiError(404, "not_found", "Utilisateur introuvable.")
    return found


@bp.get("/users")
@authenticated
def find_user():
    """The account of one email address (an empty list when there is none)."""
    require_support()
    email = domain.normalise_email(request.args.get("email", ""))
    if not domain.is_valid_email(email):
        raise ApiError(422, "validation_failed", "Saisissez l'adresse email complète du compte recherché.",
                       {"email": "adresse email invalide"})
    with unit_of_work() as session:
        found = disabling.find(session, email)
    return jsonify({"items": [found] if found else []})


@bp.delete("/users/<user_id>/sessions")
@authenticated
def end_sessions_of_user(user_id: str):
    """The support team ends every session of a person (a lost computer, a compromised account)."""
    require_support()
    with unit_of_work() as session:
        target(session, user_id)
        _, count = sessions.end_all_sessions(session, user_id, "ended_by_support", client_address())
    return jsonify({"message": "Toutes les sessions de cet utilisateur ont été fermées.", "ended": count})


@bp.post("/users/<user_id>/disable")
@authenticated
def disable_user(user_id: str):
    """« Désactiver le compte »: no more sign-in, every session ended."""
    require_support()
    with unit_of_work() as session:
        found = target(session, user_id)
        refused = disabling.refusal(current_identity(), found)
        if refused:
            raise ApiError(403, "forbidden", refused)
        count = disabling.disable(session, current_identity(), found, client_address())
        found = disabling.of_id(session, user_id)
    return jsonify({"message": "Le compte est désactivé et ses sessions sont fermées.", "ended": count,
                    "user": found})


@bp.post("/users/<user_id>/enable")
@authenticated
def enable_user(user_id: str):
    """« Réactiver le compte »: the person may sign in again."""
    require_support()
    with unit_of_work() as session:
        disabling.enable(session, current_identity(), target(session, user_id), client_address())
        found = disabling.of_id(session, user_id)
    return jsonify({"message": "Le compte est réactivé : la personne peut de nouveau se connecter.", "user": found})
