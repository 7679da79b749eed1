"""The CPOM grids of the caller's territory as one CSV or XLSX file (grid_export.py), for the authorities: streamed
from a generator that needs nothing of the request."""

from datetime import date
from urllib.parse import quote

from flask import Blueprint, Response, current_app, request

from ecars_common.errors import ApiError
from ecars_common.roles import AUTHORITIES
from ecars_common.tokens import authenticated, current_identity
from services.cpom import grid_export

bp = Blueprint("cpom_exports", __name__)


@bp.get("/territoire/grilles/export")
@authenticated
def territory_grids():
    """?format=xlsx|csv: one row per CPOM × objective × indicator × ET of every CPOM the caller may open."""
    identity = current_identity()
    if identity.role not in AUTHORITIES:
        raise ApiError(403, "forbidden", "Réservé aux agents de l'ARS et du département.")
    format = request.args.get("format", "xlsx")
    if format not in grid_export.FORMATS:
        raise ApiError(422, "validation_failed", "Format d'export inconnu.",
                       {"format": "valeurs possibles : " + ", ".join(grid_export.FORMATS)})
    chunks = grid_export.chunks(current_app.extensions["db"], identity, format)
    response = Response(chunks, content_type=grid_export.FORMATS[format][1], direct_passthrough=True)
    name = grid_export.filename(identity, format, date.today())
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
