"""/support/<service>/: the support team's dashboard of each service (role support or admin), rendered
from the service's /dashboard, with a button to replay its dead letters."""

from flask import abort, flash, redirect, render_template, session, url_for

from ecars_common.config import SERVICES
from gateway.web import api_error, login_required, page_blueprint, signed_in_call

bp = page_blueprint("support")
SUPPORT_ROLES = ("support", "admin")


def require_support() -> None:
    if session.get("user", {}).get("role") not in SUPPORT_ROLES:
        abort(403, "Réservé à l'équipe support.")


@bp.get("/support/")
@login_required
def index():
    require_support()
    return redirect(url_for("support.dashboard", service=SERVICES[0]))


@bp.get("/support/<service>/")
@login_required
def dashboard(service: str):
    require_support()
    if service not in SERVICES:
        abort(404)
    answer = signed_in_call("GET", "/dashboard", service=service)
    if answer.status_code != 200:
        code, message, _ = api_error(answer)
        return render_template("support.html", services=SERVICES, service=service, board=None,
                               failure=message, dead_letters=[]), answer.status_code
    dead = signed_in_call("GET", "/dashboard/dead-letters?limit=20", service=service)
    return render_template("support.html", services=SERVICES, service=service, board=answer.json(), failure=None,
                           dead_letters=dead.json().get("items", []) if dead.status_code == 200 else [])


@bp.post("/support/<service>/dead-letters/replay")
@login_required
def replay(service: str):
    require_support()
    if service not in SERVICES:
        abort(404)
    answer = signed_in_call("POST", "/dashboard/dead-letters/replay", service=service)
    if answer.status_code == 200:
        flash(f"{answer.json()['replayed']} message(s) remis dans la file du service « {service} ».", "success")
    else:
        flash(api_error(answer)[1], "error")
    return redirect(url_for("support.dashboard", service=service))
