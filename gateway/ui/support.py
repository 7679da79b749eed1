"""/support/<service>/: the support team's dashboard of each service (role support or admin), rendered
from the service's /dashboard, with a button to replay its dead letters."""

from flask import abort, flash, redirect, render_template, url_for

from ecars_common import roles
from ecars_common.config import SERVICES
from gateway.ui.pages import login_required, page_blueprint, require_role
from gateway.ui.session import api_error, call

bp = page_blueprint("support")


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
                               failure=message, dead_letters=[]), answer.status_code
    dead = call(service, "GET", "/dashboard/dead-letters?limit=20")
    return render_template("support.html", services=SERVICES, service=service, board=answer.json(), failure=None,
                           dead_letters=dead.json().get("items", []) if dead.status_code == 200 else [])


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
