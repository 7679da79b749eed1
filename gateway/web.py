"""The French web UI, rendered on the server; it calls the services with the same pooled client."""

from flask import Blueprint, render_template, request

from ecars_common.errors import ApiError
from ecars_common.payload import client_address
from gateway import csrf, upstream

bp = Blueprint("web", __name__)
bp.before_request(csrf.protect)


def error_page(status: int, message: str):
    """French page for errors met by people; None for API and technical paths (they get JSON)."""
    if request.path.startswith(("/api/", "/health", "/metrics", "/static")):
        return None
    return render_template("error.html", status=status, message=message), status


@bp.get("/")
def home():
    return render_template("login.html")


@bp.get("/connexion")
def login_page():
    return render_template("login.html")


@bp.get("/mot-de-passe")
def password_reset_page():
    """« Renouveler le mot de passe », screen 1: the email."""
    return render_template("password_request.html", email=request.args.get("email", ""), errors={})


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
            return render_template("password_request.html", email=email, errors={},
                                   failure="Le service est momentanément indisponible. Réessayez dans "
                                           "quelques instants."), 503
        if answer.status_code == 202:
            return render_template("password_code_sent.html", email=email, message=answer.json()["message"])
        errors = _field_errors(answer)
    return render_template("password_request.html", email=email, errors=errors), 422


def _field_errors(answer) -> dict:
    try:
        error = answer.json()["error"]
    except (ValueError, KeyError):
        return {"_": "Une erreur est survenue. Réessayez dans quelques instants."}
    if error.get("code") == "validation_failed" and "email" in error.get("details", {}):
        return {"email": "L'adresse email n'est pas valide (exemple : prenom.nom@domaine.fr)."}
    return {"_": error.get("message", "Une erreur est survenue.")}
