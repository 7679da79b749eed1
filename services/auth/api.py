from flask import Blueprint, current_app, jsonify

from ecars_common.errors import ApiError
from ecars_common.payload import client_address, json_object, string_field
from services.auth import domain, handlers

bp = Blueprint("auth", __name__)

CODE_SENT_MESSAGE = (
    "Si un compte correspond à cette adresse, un code de vérification vient d'y être envoyé. "
    "Il est valable {minutes} minutes."
)


@bp.post("/password-reset/code")
def send_verification_code():
    """Step 1 of « Renouveler le mot de passe »: « Envoyer le code de vérification »."""
    config = current_app.config["SETTINGS"]
    email = domain.normalise_email(string_field(json_object(), "email", max_length=254))
    if not domain.is_valid_email(email):
        raise ApiError(422, "validation_failed", "L'adresse email n'est pas valide.",
                       {"email": "adresse email invalide"})
    with current_app.extensions["db"].session() as session:
        handlers.request_verification_code(session, config, email, client_address())
    return jsonify({"message": CODE_SENT_MESSAGE.format(minutes=config.code_ttl_minutes)}), 202
