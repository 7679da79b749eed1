"""The time a web session has left (RGAA 13.1.4, ASVS 5.0 7.3): every signed-in page warns two minutes before the
idle timeout and offers « Prolonger la session » (gateway/static/ecars.js; the page works without it). The script
asks `GET /session/etat` — which does not count as activity — before warning, so that a page left open in one tab
does not warn while the person works in another; « Prolonger la session » is a form (`POST /session/prolonger`),
sent by the script in the background or, without it, as any form."""

from flask import current_app, jsonify, redirect, request, session

from gateway.ui.pages import page_blueprint, safe_next
from gateway.ui.session import signed_in

bp = page_blueprint("session_time")

WARNING_SECONDS = 120  # how long before the idle timeout the page warns


def time_left(extended: bool = False) -> dict:
    """Seconds until the session ends: idle (extendable) and absolute (not), both from the server's clock;
    `extended`: as this request leaves it (it counts as activity)."""
    config = current_app.config["SETTINGS"]
    if not signed_in() or session.seen_at is None:
        return {"signed_in": False, "remaining": 0, "extendable": False}
    now = session.seen_at
    idle_left = config.session_idle_seconds - (0 if extended else (now - session.last_seen).total_seconds())
    absolute_left = config.session_absolute_seconds - (now - session.created).total_seconds()
    return {"signed_in": True, "remaining": max(0, int(min(idle_left, absolute_left))),
            "extendable": absolute_left > idle_left, "idle_seconds": config.session_idle_seconds,
            "warning_seconds": WARNING_SECONDS}


@bp.get("/session/etat")
def status():
    session.activity = False  # asking is not using the site
    answer = time_left()
    return jsonify(answer), 200 if answer["signed_in"] else 401


@bp.post("/session/prolonger")
def prolong():
    """« Prolonger la session »: this request is activity, so the idle timeout starts again."""
    if not signed_in():
        answer = {"signed_in": False, "remaining": 0, "extendable": False}
        return (jsonify(answer), 401) if wants_json() else redirect(safe_next(request.form.get("suivant")))
    session.must_touch = True
    answer = time_left(extended=True)
    if wants_json():
        return jsonify(answer)
    return redirect(safe_next(request.form.get("suivant")))


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"
