"""/support/<service>/: the support team's dashboard of each service (role support or admin), rendered
from the service's /dashboard, with a button to replay its dead letters; /support/comptes: « Comptes et sessions »,
a person's account found by their email, with « Fermer toutes ses sessions », « Désactiver le compte » and
« Réactiver le compte » (auth's /users…, services/auth/disabling.py; ASVS 5.0 7.4.2, 7.4.5)."""

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from ecars_common import roles
from ecars_common.config import SERVICES
from gateway.ui.french import ROLE_LABELS, human_size, moment
from gateway.ui.pages import flash_refusal, login_required, page_blueprint, require_role
from gateway.ui.session import api_error, call, ok_json, store

bp = page_blueprint("support", moment=moment)

# The dashboards' keys (GET /api/<service>/dashboard, ecars_common/dashboard.py and each service's key_counts)
# as the support team reads them.
CHECK_LABELS = {"database": "Base de données (PostgreSQL)", "broker": "Courtier de messages (RabbitMQ)",
                "s3": "Stockage des documents (S3)", "smtp": "Serveur d'envoi des emails (SMTP)"}
COUNT_LABELS = {
    "users": "Comptes", "awaiting_first_login": "Comptes en attente de première connexion",
    "accounts_locked": "Comptes bloqués", "addresses_locked": "Adresses IP bloquées",
    "accounts_slowed_from_an_address": "Comptes ralentis depuis une adresse",
    "failed_logins_last_hour": "Connexions échouées dans l'heure",
    "sessions_used_last_day": "Sessions utilisées dans les dernières 24 heures",
    "contracts_by_status": "Contrats d'auto-évaluation par statut", "campaigns": "Campagnes",
    "cpoms_by_status": "CPOM par statut", "transmissions": "Transmissions de CPOM", "ej": "Entités juridiques",
    "documents_stored": "Documents conservés", "bytes_stored": "Volume des documents conservés",
    "documents_by_owner": "Documents par rattachement",
    "orphaned_objects": "Fichiers sans fiche dans le stockage",
    "objects_reconciled_at": "Dernière recherche des fichiers sans fiche",
    "emails_by_status": "Emails par état d'envoi",
}
# What a document belongs to, as an S3 object's metadata names it (services/documents/orphans.py).
OWNER_LABELS = {"contract_id": "contrat", "indicator_id": "indicateur", "cpom_id": "CPOM", "folder_id": "dossier",
                "region": "région", "message_id": "message"}
VALUE_LABELS = {"indicator": "indicateur d'auto-évaluation", "folder": "dossier de CPOM",
                "reference": "document de référence", "sent": "envoyé", "failed": "en échec", "pending": "en attente"}


def key_figures(counts: dict) -> list[tuple[str, str | list[tuple[str, int]]]]:
    """The service's key counts as (French label, figure or [(French label, figure)…])."""
    figures = []
    for key, value in counts.items():
        label = COUNT_LABELS.get(key, key.replace("_", " ").capitalize())
        if isinstance(value, dict):
            value = [(VALUE_LABELS.get(name, name), number) for name, number in sorted(value.items())] or "aucun"
        elif key == "bytes_stored":
            value = human_size(value)
        elif key.endswith("_at"):  # when a reconciliation last ran
            value = moment(value) or "jamais"
        figures.append((label, value))
    return figures


def orphaned_object(item: dict) -> dict:
    """An S3 object without a row as the table shows it: its owner and size in French."""
    owner = dict(item.get("owner") or {})
    kind = owner.pop("owner_type", None)
    shown = [VALUE_LABELS.get(kind, kind)] if kind else []
    shown += [f"{OWNER_LABELS.get(name, name)} {value}" for name, value in sorted(owner.items())]
    return {**item, "owner_shown": ", ".join(shown) or "—", "size_shown": human_size(item["size"])}


def check_state(state: str) -> str:
    return "disponible" if state == "ok" else state


def require_support(service: str | None = None) -> None:
    """The support team only; with `service`, one of the platform's services (else 404)."""
    require_role(roles.SUPPORT_ROLES, "Réservé à l'équipe support.")
    if service is not None and service not in SERVICES:
        abort(404)


@bp.get("/support/")
@login_required
def index():
    require_support()
    return redirect(url_for("support.dashboard", service=SERVICES[0]))


@bp.get("/support/<service>/")
@login_required
def dashboard(service: str):
    require_support(service)
    answer = call(service, "GET", "/dashboard")
    if answer.status_code != 200:
        code, message, _ = api_error(answer)
        return render_template("support.html", services=SERVICES, service=service, board=None,
                               failure=message, dead_letters=[], orphaned_objects=None), answer.status_code
    dead = call(service, "GET", "/dashboard/dead-letters?limit=20")
    board = answer.json()
    orphaned = call(service, "GET", "/dashboard/orphaned-objects?limit=50") if service == "documents" else None
    return render_template("support.html", services=SERVICES, service=service, board=board, failure=None,
                           checks=[(CHECK_LABELS.get(name, name), state, check_state(state))
                                   for name, state in board["checks"].items()],
                           figures=key_figures(board.get("counts") or {}),
                           dead_letters=dead.json().get("items", []) if dead.status_code == 200 else [],
                           orphaned_objects=[orphaned_object(item) for item in orphaned.json()["items"]]
                           if orphaned is not None and orphaned.status_code == 200 else None)


@bp.post("/support/<service>/dead-letters/replay")
@login_required
def replay(service: str):
    require_support(service)
    answer = call(service, "POST", "/dashboard/dead-letters/replay")
    if answer.status_code == 200:
        flash(f"{answer.json()['replayed']} message(s) remis dans la file du service « {service} ».", "success")
    else:
        flash(api_error(answer)[1], "error")
    return redirect(url_for("support.dashboard", service=service))


# -- Comptes et sessions --------------------------------------------------------------------------

EMAIL_MAX = 254
BAD_EMAIL = "Saisissez l'adresse email complète du compte recherché, par exemple nom.prenom@exemple.fr."


def accounts_page(email: str = "", account: dict | None = None, error: str = "", status: int = 200):
    return render_template("support_accounts.html", services=SERVICES, email=email, account=account,
                           searched=bool(email) and not error, errors={"email": error} if error else {},
                           role_labels=ROLE_LABELS), status


@bp.get("/support/comptes")
@login_required
def accounts():
    """« Comptes et sessions »: the account of the email typed, if there is one."""
    require_support()
    email = request.args.get("email", "").strip()
    if not email:
        return accounts_page()
    if len(email) > EMAIL_MAX or "@" not in email:
        return accounts_page(email, error=BAD_EMAIL, status=422)
    answer = call("auth", "GET", "/users?" + urlencode({"email": email}))
    if answer.status_code == 422:
        return accounts_page(email, error=BAD_EMAIL, status=422)
    found = ok_json(answer)["items"]
    return accounts_page(email, found[0] if found else None)


def back_to_account():
    return redirect(url_for("support.accounts", email=request.form.get("email") or None, _anchor="compte"))


@bp.post("/support/comptes/<uuid:user_id>/sessions/fermer")
@login_required
def end_sessions_of(user_id):
    """« Fermer toutes ses sessions »: auth's and the gateway's web sessions of the person end at once."""
    require_support()
    answer = call("auth", "DELETE", f"/users/{user_id}/sessions")
    if answer.status_code == 200:
        store().end_of_user(str(user_id))
        flash(f"Toutes les sessions de ce compte ont été fermées ({answer.json()['ended']} session(s) ouverte(s)).",
              "success")
    else:
        flash_refusal(answer)
    return back_to_account()


@bp.post("/support/comptes/<uuid:user_id>/desactiver")
@login_required
def disable(user_id):
    """« Désactiver le compte »: no more sign-in, every session ended (the gateway's too, at once)."""
    require_support()
    answer = call("auth", "POST", f"/users/{user_id}/disable")
    if answer.status_code == 200:
        store().end_of_user(str(user_id))
    flash_refusal(answer, "Le compte est désactivé : la personne ne peut plus se connecter et ses sessions sont "
                          "fermées.")
    return back_to_account()


@bp.post("/support/comptes/<uuid:user_id>/reactiver")
@login_required
def enable(user_id):
    require_support()
    answer = call("auth", "POST", f"/users/{user_id}/enable")
    flash_refusal(answer, "Le compte est réactivé : la personne peut de nouveau se connecter.")
    return back_to_account()
