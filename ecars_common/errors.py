"""The one error shape of the API: {"error": {"code", "message", "details"}}."""

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)
DATABASE_UNAVAILABLE = "La base de données est momentanément indisponible : réessayez dans quelques instants."

# French messages for the HTTP errors Flask raises by itself.
HTTP_MESSAGES = {
    400: "Requête invalide.",
    401: "Authentification requise.",
    403: "Accès refusé.",
    404: "Ressource introuvable.",
    405: "Méthode non autorisée pour cette ressource.",
    409: "Conflit avec l'état actuel de la ressource.",
    413: "Contenu trop volumineux.",
    415: "Type de contenu non pris en charge.",
    429: "Trop de requêtes : réessayez plus tard.",
    500: "Erreur interne du serveur.",
    502: "Service indisponible.",
    503: "Service temporairement indisponible.",
    504: "Le service n'a pas répondu à temps.",
}


class ApiError(Exception):
    """An error the client can act on. Raised anywhere in a request; rendered as JSON."""

    def __init__(self, status: int, code: str, message: str, details=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details if details is not None else {}


def error_body(code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def validation_error(details: dict, message: str = "Les données envoyées ne sont pas valides.") -> ApiError:
    return ApiError(422, "validation_failed", message, details)


def http_error(exc: HTTPException) -> ApiError:
    """The JSON error for one of werkzeug's HTTP exceptions (a 405 raised by routing, a 400 for a client gone…)."""
    status = exc.code or 500
    message = HTTP_MESSAGES.get(status, "Erreur.")
    if exc.description and exc.description != exc.__class__.description:
        message = exc.description  # a message written for the user by whoever aborted
    return ApiError(status, (exc.name or "error").lower().replace(" ", "_").replace("'", ""), message)


def register_error_handlers(app: Flask, render_page=None, database: bool = False) -> None:
    """JSON errors everywhere; `render_page(status, message)` may return an HTML page instead (the
    gateway's web UI does, for pages meant for people). `database`: the app has one (the services), so a lost
    connection is a 503 `database_unavailable`."""
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return jsonify(error_body(exc.code, exc.message, exc.details)), exc.status

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        error = http_error(exc)
        if render_page is not None and (page := render_page(error.status, error.message)) is not None:
            return page
        response = jsonify(error_body(error.code, error.message))
        if error.status == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response, error.status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        # Never a stack trace to the client; the log has it, with the request id.
        log.exception("unhandled error")
        if render_page is not None and (page := render_page(500, HTTP_MESSAGES[500])) is not None:
            return page
        return jsonify(error_body("internal_error", HTTP_MESSAGES[500])), 500

    if database:  # imported here: the gateway has no database, and SQLAlchemy would weigh ~25 MB in its workers
        from sqlalchemy.exc import SQLAlchemyError

        from ecars_common.db import database_unavailable

        @app.errorhandler(SQLAlchemyError)
        def _database_error(exc: SQLAlchemyError):
            if not database_unavailable(exc):
                return _unexpected(exc)
            # Its unit of work was rolled back, or died with its connection (the server then rolls it back).
            orig = getattr(exc, "orig", None) or exc
            log.error("database unavailable: %s: %s", type(orig).__name__, str(orig).strip()[:300])
            return jsonify(error_body("database_unavailable", DATABASE_UNAVAILABLE)), 503
