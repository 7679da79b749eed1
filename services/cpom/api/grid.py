"""The « Grille des objectifs »: the grid, objectives, indicators, the gestionnaire's entry and values.
Routes and bodies: docs/cpom.md."""

from flask import Blueprint, jsonify

from ecars_common.app import unit_of_work
from ecars_common.payload import json_object
from ecars_common.tokens import authenticated, current_identity
from services.cpom import (
    domain,
    forms,
    grid_building,
    grid_entry,
    grid_views,
)
from services.cpom.access import load_cpom, require
from services.cpom.orm import axes, indicateurs, objectifs

bp = Blueprint("cpom_grid", __name__)


@bp.get("/cpoms/<uuid:cpom_id>/grille")
@authenticated
def show_grid(cpom_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(grid_views.grid_view(session, row["id"], cpom_access))


@bp.put("/cpoms/<uuid:cpom_id>/grille")
@authenticated
def import_grid(cpom_id):
    """The grid document (docs/cpom.md « Grille des objectifs : import JSON »): replaces the grid."""
    document = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        counts = grid_building.import_grid(session, current_identity(), row["id"], document)
        view = grid_views.grid_view(session, row["id"], cpom_access)
        return jsonify({"message": "Grille importée.", **counts, **view})


@bp.post("/cpoms/<uuid:cpom_id>/axes")
@authenticated
def add_axe(cpom_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        return jsonify(grid_building.add_axe(session, current_identity(), row["id"], data)), 201


@bp.post("/cpoms/<uuid:cpom_id>/axes/<uuid:axe_id>/objectifs")
@authenticated
def add_objectif(cpom_id, axe_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        objectif_id = grid_building.add_objectif(session, current_identity(), row["id"], str(axe_id), data)
        return jsonify(grid_views.objectif_view(session, row["id"], objectif_id, cpom_access)), 201


@bp.get("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>")
@authenticated
def show_objectif(cpom_id, objectif_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(grid_views.objectif_view(session, row["id"], str(objectif_id), cpom_access))


@bp.patch("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>")
@authenticated
def update_objectif(cpom_id, objectif_id):
    data = json_object()
    forms.reject_unknown(data, ("code", "libelle", "description", "perimetre", "elements_og"))
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        grid_building.update_objectif(session, current_identity(), row["id"], str(objectif_id), data)
        return jsonify(grid_views.objectif_view(session, row["id"], str(objectif_id), cpom_access))


@bp.put("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>/saisie")
@authenticated
def save_objectif_entry(cpom_id, objectif_id):
    """The gestionnaire's « Enregistrer » on the fiche Objectif: {"actions": ["…", …] (at most 5),
    "element_selectionne_og": "…" | null}; either key may be left out."""
    data = json_object()
    forms.reject_unknown(data, ("actions", "element_selectionne_og"))
    if not data:
        raise forms.invalid({"actions": "attendu"}, "Aucune donnée à enregistrer.")
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "saisir")
        grid_entry.save_entry(session, current_identity(), row["id"], str(objectif_id), data)
        return jsonify(grid_views.objectif_view(session, row["id"], str(objectif_id), cpom_access))


@bp.post("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>/actions")
@authenticated
def add_action(cpom_id, objectif_id):
    """{"libelle": "…"} → 201 the action with its number; the sixth is refused (422)."""
    data = json_object()
    forms.reject_unknown(data, ("libelle",))
    errors: dict = {}
    text = forms.text(data, "libelle", errors, max_length=domain.MAX_LONG_TEXT)
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "saisir")
        return jsonify(grid_entry.add_action(session, current_identity(), row["id"], str(objectif_id), text)), 201


@bp.post("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>/indicateurs")
@authenticated
def add_indicateur(cpom_id, objectif_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        indicateur_id = grid_building.add_indicateur(session, current_identity(), row["id"], str(objectif_id), data)
        return jsonify(grid_views.indicateur_view(session, row["id"], indicateur_id, cpom_access)), 201


@bp.get("/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>")
@authenticated
def show_indicateur(cpom_id, indicateur_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(grid_views.indicateur_view(session, row["id"], str(indicateur_id), cpom_access))


@bp.patch("/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>")
@authenticated
def update_indicateur(cpom_id, indicateur_id):
    data = json_object()
    forms.reject_unknown(data, grid_building.INDICATEUR_COLUMNS)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        grid_building.update_indicateur(session, current_identity(), row["id"], str(indicateur_id), data)
        return jsonify(grid_views.indicateur_view(session, row["id"], str(indicateur_id), cpom_access))


@bp.put("/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>/valeurs")
@authenticated
def save_values(cpom_id, indicateur_id):
    """{"valeurs": [{"etablissement": "FINESS", "numerateur": 12, "denominateur": 150}, …]} (see docs)."""
    data = json_object()
    forms.reject_unknown(data, ("valeurs",))
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "saisir")
        grid_entry.save_values(session, current_identity(), row["id"], str(indicateur_id), data.get("valeurs"))
        return jsonify(grid_views.indicateur_view(session, row["id"], str(indicateur_id), cpom_access))


DELETABLE = {"axes": (axes, "axe"), "objectifs": (objectifs, "objectif"), "indicateurs": (indicateurs, "indicateur")}


@bp.delete("/cpoms/<uuid:cpom_id>/<any(axes, objectifs, indicateurs):kind>/<uuid:item_id>")
@authenticated
def delete_grid_item(cpom_id, kind, item_id):
    """Deletes the item with what hangs from it (objectives, indicators, actions, values)."""
    table, what = DELETABLE[kind]
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        grid_building.delete(session, current_identity(), row["id"], table, str(item_id), what)
    return "", 204
