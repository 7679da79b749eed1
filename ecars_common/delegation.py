"""Asking another service, with the caller's own token, what it shows the caller: the owner's access
rules then apply unchanged — reporting's Word exports, documents' attachments and CPOM folders, auth's
territory check when an ARS or a CD manages accesses."""

import httpx
from flask import current_app, request

from ecars_common.errors import ApiError

TIMEOUT = httpx.Timeout(10.0, connect=2.0)


def ask_as_caller(service: str, path: str) -> tuple[int, object]:
    """GET `path` of `service` as the caller: (status, JSON body or None). 503 if the service is unreachable."""
    settings = current_app.config["SETTINGS"]
    client = current_app.extensions["http_client"]  # ecars_common.app's factory makes it
    headers = {"Authorization": request.headers.get("Authorization", ""),
               "X-Request-ID": request.headers.get("X-Request-ID", "")}
    try:
        answer = client.get(f"{settings.service_url(service)}{path}", headers=headers)
    except httpx.HTTPError:
        raise ApiError(503, "upstream_unavailable", f"Le service « {service} » est indisponible : réessayez dans "
                                                    "quelques minutes.", {"service": service})
    try:
        return answer.status_code, answer.json()
    except ValueError:
        return answer.status_code, None


def error_of(body: object, default_code: str = "upstream_error") -> dict:
    """The {"code", "message", "details"} of another service's error answer (a generic one if it has none)."""
    try:
        error = body["error"]  # type: ignore[index]
        return {"code": error["code"], "message": error["message"], "details": error.get("details") or {}}
    except (KeyError, TypeError):
        return {"code": default_code, "message": "Erreur du service.", "details": {}}
