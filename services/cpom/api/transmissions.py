"""« Remarques », « Transmettre les informations », the export and the territory's transmissions.
Routes and bodies: docs/cpom.md."""

import sqlalchemy as sa
from flask import Blueprint, jsonify

from ecars_common import messaging
from ecars_common.app import unit_of_work
from ecars_common.errors import ApiError
from ecars_common.payload import json_object
from ecars_common.roles import AUTHORITIES
from ecars_common.tokens import authenticated, current_identity
from services.cpom import (
    access,
    domain,
    forms,
    orm,
    remarks,
    transmission,
)
from services.cpom.access import load_cpom, require

bp = Blueprint("cpom_transmissions", __name__)


@bp.get("/cpoms/<uuid:cpom_id>/remarques")
@authenticated
def list_remarks(cpom_id):
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify({"items": remarks.remarks(session, row["id"])})


@bp.post("/cpoms/<uuid:cpom_id>/remarques")
@authenticated
def add_remark(cpom_id):
    """{"texte": "…"} → 201 {id, texte, auteur, role, le}."""
    data = json_object()
    forms.reject_unknown(data, ("texte",))
    errors: dict = {}
    text = forms.text(data, "texte", errors, max_length=domain.MAX_LONG_TEXT)
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "remarquer")
        return jsonify(remarks.add_remark(session, current_identity(), row["id"], text)), 201


# -- « Transmettre les informations » -------------------------------------------------------------

@bp.get("/cpoms/<uuid:cpom_id>/completude")
@authenticated
def completeness(cpom_id):
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        gaps = transmission.missing(session, row)
    return jsonify({"complet": not gaps, "manquants": gaps})


@bp.post("/cpoms/<uuid:cpom_id>/transmissions")
@authenticated
def transmit(cpom_id):
    with unit_of_work() as session:
        _, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "transmettre")
        outcome = transmission.transmit(session, current_identity(), str(cpom_id))
    if outcome.status == "incomplete":
        raise ApiError(422, "incomplete", f"Transmission impossible : {len(outcome.missing)} élément(s) restent à "
                       "renseigner. " + " ".join(m["message"] for m in outcome.missing[:10]),
                       {"manquants": outcome.missing})
    if outcome.status == "unchanged":
        raise ApiError(409, "unchanged", f"Rien n'a changé depuis la transmission n° {outcome.previous}.",
                       {"version": outcome.previous})
    return jsonify({"message": "Les informations ont été transmises aux autorités.", **outcome.transmission}), 201


@bp.get("/cpoms/<uuid:cpom_id>/transmissions")
@authenticated
def list_transmissions(cpom_id):
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify({"items": transmission.history(session, row["id"])})


def transmission_read(read, cpom_id, version: int):
    """Transmission n° `version` of a CPOM the caller may read, as `read(session, cpom id, version)` gives it."""
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        found = read(session, row["id"], version)
    if found is None:
        raise ApiError(404, "not_found", "Transmission introuvable.")
    return jsonify(found)


@bp.get("/cpoms/<uuid:cpom_id>/transmissions/<int:version>")
@authenticated
def show_transmission(cpom_id, version: int):
    return transmission_read(transmission.one, cpom_id, version)


@bp.get("/cpoms/<uuid:cpom_id>/transmissions/<int:version>/receipt")
@authenticated
def transmission_receipt(cpom_id, version: int):
    """« Accusé de transmission » (read by the reporting service, which prints it as a PDF): as the transmission."""
    return transmission_read(transmission.receipt_of, cpom_id, version)


@bp.get("/cpoms/<uuid:cpom_id>/export")
@authenticated
def export_cpom(cpom_id):
    """The CPOM as it stands (the transmission snapshot, untransmitted): what the Word « fiche Objectif »
    and « Tableau de synthèse » print (read by the reporting service with the caller's token), with the messages
    exchanged (issue 18: « included in the exports »; never a private note, whoever asks: the document is shared)."""
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify({**transmission.snapshot(session, row),
                        "messages": messaging.items_of(session, orm.messages, str(cpom_id), authority=False)})


@bp.get("/territoire/transmissions")
@authenticated
def territory_transmissions():
    """The ARS back-office view: the transmissions of the CPOMs of the caller's territory (ARS: its region,
    CD: its département), newest first, at most 200."""
    identity = current_identity()
    if identity.role not in AUTHORITIES:
        raise ApiError(403, "forbidden", "Réservé aux agents de l'ARS et du département.")
    with unit_of_work() as session:
        query = (sa.select(orm.transmissions.c.cpom_id, orm.transmissions.c.version,
                           orm.transmissions.c.transmitted_at, orm.transmissions.c.transmitted_by_email,
                           sa.func.jsonb_array_length(orm.transmissions.c.changes).label("changes"),
                           orm.cpoms.c.nom, orm.cpoms.c.ej_finess, orm.ej.c.raison_sociale)
                 .join(orm.cpoms, orm.cpoms.c.id == orm.transmissions.c.cpom_id)
                 .join(orm.ej, orm.ej.c.finess == orm.cpoms.c.ej_finess)
                 .where(access.visible_cpom_condition(identity))  # the CPOMs they may open, not their EJs'
                 .order_by(orm.transmissions.c.transmitted_at.desc()).limit(200))
        items = [{"cpom_id": r.cpom_id, "cpom_name": r.nom, "version": r.version,
                  "transmitted_at": r.transmitted_at.isoformat(), "transmitted_by_email": r.transmitted_by_email,
                  "changes": r.changes, "ej_finess": r.ej_finess, "ej_raison_sociale": r.raison_sociale}
                 for r in session.execute(query)]
    return jsonify({"items": items})
