"""HTTP API of the auth service, its part for the other services: the snapshot of every habilitation, with its
version, that their projections are reconciled with (ecars_common/reconcile.py). Not for people: the caller shows
the platform's service key (`X-Ecars-Service-Key`, setting ECARS_SERVICE_KEY)."""

import hmac

import sqlalchemy as sa
from flask import Blueprint, jsonify, request

from ecars_common.app import settings, unit_of_work
from ecars_common.errors import ApiError
from services.auth.orm import habilitations, users

bp = Blueprint("auth_snapshot", __name__)
SERVICE_KEY_HEADER = "X-Ecars-Service-Key"

SNAPSHOT = (sa.select(habilitations.c.id.label("habilitation_id"), habilitations.c.user_id, users.c.email,
                      habilitations.c.scope_type, habilitations.c.scope_id, habilitations.c.administrateur,
                      habilitations.c.visibilite_documents_confidentiels, habilitations.c.version)
            .join(users, users.c.id == habilitations.c.user_id).order_by(habilitations.c.id))


@bp.get("/habilitations/snapshot")
def snapshot():
    """Every habilitation auth holds, read in one transaction: what the projections must hold (a habilitation not
    in it was revoked)."""
    key = request.headers.get(SERVICE_KEY_HEADER, "")
    if not hmac.compare_digest(key.encode(), settings().service_key.encode()):
        raise ApiError(403, "forbidden", "Réservé aux services de la plateforme.")
    with unit_of_work() as session:
        items = [dict(row) for row in session.execute(SNAPSHOT).mappings()]
    return jsonify({"items": items})
