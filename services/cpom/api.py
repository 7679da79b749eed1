"""HTTP API of the cpom service (reached as /api/cpom/… through the gateway). Routes and bodies:
docs/cpom.md."""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request

from ecars_common.errors import ApiError
from ecars_common.payload import json_object
from ecars_common.tokens import authenticated, current_identity
from services.cpom import access, domain, forms, grid, organisations, orm, sheet, transmission
from services.cpom.access import load_cpom, require
from services.cpom.orm import axes, indicateurs, objectifs

bp = Blueprint("cpom", __name__)


def unit_of_work():
    return current_app.extensions["db"].session()


def config():
    return current_app.config["SETTINGS"]


# -- referentials ---------------------------------------------------------------------------------

@bp.get("/referentiels")
@authenticated
def referentials():
    """The lists the forms offer, with their French labels."""
    return jsonify({
        "statuts": [{"code": c, "libelle": t, "rang": i + 1} for i, (c, t) in enumerate(domain.PHASES)],
        "competences": list(domain.COMPETENCES),
        "departements": list(domain.DEPARTEMENTS),
        "regions": list(domain.REGIONS),
        "planning": [{"cle": k, "libelle": t} for k, t in domain.PLANNING],
        "types_indicateur": [{"code": c, "libelle": t} for c, t in domain.INDICATOR_TYPES],
        "categories": [{"code": c, "libelle": t} for c, t in domain.CATEGORIES],
        "declinaisons": [{"code": c, "libelle": t} for c, t in domain.DECLINAISONS],
        "max_actions": domain.MAX_ACTIONS,
        "colonnes_csv": list(domain.CSV_COLUMNS),
    })


# -- organisations --------------------------------------------------------------------------------

def read_body(limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, "too_large", f"Le fichier dépasse {limit // (1024 * 1024)} Mo.")
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        raise ApiError(413, "too_large", f"Le fichier dépasse {limit // (1024 * 1024)} Mo.")
    return body


@bp.post("/organisations/import")
@authenticated
def import_organisations():
    """The raw CSV file as the body (text/csv). All rows or none; bad rows are named with their line."""
    identity = current_identity()
    if identity.role not in ("ars", "cd", "admin"):
        raise access.forbidden("L'import des organisations est réservé aux utilisateurs ARS, CD et administrateurs.")
    raw = read_body(config().import_max_bytes)
    try:
        rows = domain.parse_organisations_csv(domain.decode_csv(raw), config().import_max_rows)
    except domain.CsvError as exc:
        raise ApiError(422, "invalid_csv", exc.message, exc.details)
    with unit_of_work() as session:
        outcome = organisations.import_csv(session, identity, rows)  # writes nothing if a row is bad
    if outcome.errors:
        n = len(outcome.errors)
        raise ApiError(422, "invalid_rows", f"{n} ligne(s) en erreur : rien n'a été importé. "
                       + " ".join(f"Ligne {e['ligne']} : " + ", ".join(f"{k} {v}" for k, v in e["erreurs"].items())
                                  + "." for e in outcome.errors[:10]), {"lignes": outcome.errors})
    return jsonify({"message": "Import terminé.", "lignes": len(rows), **outcome.counts})


@bp.get("/ej")
@authenticated
def list_ej():
    """« Gestion des Contrats »: ?sort=etablissement|raison_sociale|adresse|telephone (prefix - for
    descending) &page=1… &q=part of the FINESS or of the name"""
    sort = request.args.get("sort", "etablissement") or "etablissement"
    page = request.args.get("page", "1") or "1"
    search = " ".join(request.args.get("q", "").split())
    errors = {}
    if len(search) > organisations.SEARCH_MAX:
        errors["q"] = f"au plus {organisations.SEARCH_MAX} caractères"
    if sort.lstrip("-") not in organisations.SORTS:
        errors["sort"] = "valeurs possibles : " + ", ".join(organisations.SORTS) + " (préfixe - : ordre décroissant)"
    if not page.isdigit() or not 1 <= int(page) <= 100000:
        errors["page"] = "un entier ≥ 1 est attendu"
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        return jsonify(organisations.list_ej(session, current_identity(), sort.lstrip("-"), sort.startswith("-"),
                                             int(page), search or None))


@bp.get("/ej/<finess>")
@authenticated
def show_ej(finess: str):
    with unit_of_work() as session:
        page = organisations.ej_page(session, current_identity(), finess) if len(finess) == 9 else None
    if page is None:
        raise ApiError(404, "not_found", access.EJ_NOT_FOUND)
    return jsonify(page)


# -- the CPOM sheet -------------------------------------------------------------------------------

CREATE_FIELDS = ("nom", "ej_finess", "competence", "departements", "planning", "etablissements", "equipe")
UPDATE_FIELDS = ("nom", "competence", "departements", "planning")


def cpom_fields(data: dict, creating: bool) -> dict:
    forms.reject_unknown(data, CREATE_FIELDS if creating else UPDATE_FIELDS)
    errors: dict = {}
    values: dict = {}
    if creating or "nom" in data:
        values["nom"] = forms.text(data, "nom", errors)
    if creating:
        values["ej_finess"] = forms.text(data, "ej_finess", errors, max_length=9).upper()
        if values["ej_finess"] and (problem := domain.finess_problem(values["ej_finess"])):
            errors["ej_finess"] = problem
    if creating or "competence" in data:
        values["competence"] = forms.choice(data, "competence", errors, domain.COMPETENCES)
    if creating or "departements" in data:
        values["departements"] = forms.departements(data.get("departements"), errors)
    if "planning" in data:
        values["planning"] = forms.planning(data["planning"], errors)
    if creating and "etablissements" in data:
        values["etablissements"] = forms.finess_list(data["etablissements"], "etablissements", errors)
    if creating and "equipe" in data:
        values["equipe"] = forms.team(data["equipe"], errors)
    if errors:
        raise forms.invalid(errors)
    if not creating and not values:
        raise forms.invalid({"champs": "attendus : " + ", ".join(UPDATE_FIELDS)}, "Aucune donnée à modifier.")
    return values


@bp.post("/cpoms")
@authenticated
def create_cpom():
    identity = current_identity()
    if identity.role not in ("ars", "cd", "admin"):
        raise access.forbidden("Seuls les utilisateurs ARS, CD et administrateurs créent un CPOM.")
    values = cpom_fields(json_object(), creating=True)
    with unit_of_work() as session:
        row, cpom_access = sheet.create(session, identity, values)
        return jsonify(sheet.view(session, row, cpom_access)), 201


@bp.get("/cpoms/<uuid:cpom_id>")
@authenticated
def show_cpom(cpom_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(sheet.view(session, row, cpom_access))


@bp.patch("/cpoms/<uuid:cpom_id>")
@authenticated
def update_cpom(cpom_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        values = cpom_fields(data, creating=False)
        row = sheet.update(session, current_identity(), row, values)
        return jsonify(sheet.view(session, row, cpom_access))


@bp.post("/cpoms/<uuid:cpom_id>/statut")
@authenticated
def change_status(cpom_id):
    """{"statut": "negociation", "motif": "…"}: to the next phase or back to the previous one."""
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        errors: dict = {}
        target = forms.choice(data, "statut", errors, domain.PHASE_CODES)
        motif = forms.text(data, "motif", errors, required=False, max_length=1000)
        if errors:
            raise forms.invalid(errors)
        status, result = sheet.change_status(session, current_identity(), row, cpom_access, target, motif)
        view = sheet.view(session, result, cpom_access) if status == "ok" else None
    if status == "forbidden":
        raise access.forbidden(access.REFUSALS["changer_statut"])
    if status == "invalid":
        raise ApiError(409, "transition_refused", f"Changement de statut refusé : {result}.", {"statut": result})
    return jsonify(view)


@bp.post("/cpoms/<uuid:cpom_id>/validation")
@authenticated
def validate(cpom_id):
    """{"autorite": "ARS" | "CD", "valide": true | false}."""
    data = json_object()
    errors: dict = {}
    authority = forms.choice(data, "autorite", errors, domain.AUTORITES)
    if not isinstance(data.get("valide"), bool):
        errors["valide"] = "true ou false attendu"
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        row = sheet.set_validation(session, current_identity(), row, cpom_access, authority, data["valide"])
        return jsonify(sheet.view(session, row, cpom_access))


@bp.put("/cpoms/<uuid:cpom_id>/equipe")
@authenticated
def set_team(cpom_id):
    """{"referent", "co_referent", "autorites", "etablissement"}: the lists sent replace the current ones.
    The gestionnaire may send only "etablissement"."""
    data = json_object()
    errors: dict = {}
    team = forms.team(data, errors)
    if errors:
        raise forms.invalid(errors)
    if not team:
        raise forms.invalid({"equipe": "attendus : " + ", ".join(forms.TEAMS)}, "Aucune donnée à modifier.")
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        rights = cpom_access.rights()
        if not rights["modifier"] and not (rights["saisir"] and set(team) == {"etablissement"}):
            raise access.forbidden("L'organisme gestionnaire ne modifie que l'Equipe Etablissement ; le reste de "
                                   "l'Equipe Projet est tenu par les autorités." if rights["saisir"]
                                   else access.REFUSALS["modifier"])
        sheet.set_team(session, current_identity(), row, team)
        return jsonify(sheet.team_of(session, row["id"]))


@bp.put("/cpoms/<uuid:cpom_id>/etablissements")
@authenticated
def set_perimeter(cpom_id):
    """{"etablissements": ["FINESS géographique", …]}: the ETs of the CPOM's perimeter (ETs of its EJ)."""
    data = json_object()
    forms.reject_unknown(data, ("etablissements",))
    errors: dict = {}
    finess = forms.finess_list(data.get("etablissements"), "etablissements", errors)
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        sheet.set_perimeter(session, current_identity(), row, finess)
        return jsonify({"etablissements": sheet.perimeter(session, row["id"])})


@bp.post("/cpoms/<uuid:cpom_id>/avenants")
@authenticated
def add_avenant(cpom_id):
    """{"date": "AAAA-MM-JJ", "objet": "…"} → 201 the amendment, numbered 1, 2, …"""
    data = json_object()
    forms.reject_unknown(data, ("date", "objet"))
    errors: dict = {}
    when, problem = domain.parse_planning_value("date", data.get("date"))
    if problem or when is None:
        errors["date"] = problem or "obligatoire"
    objet = forms.text(data, "objet", errors, max_length=2000)
    if errors:
        raise forms.invalid(errors)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        return jsonify(sheet.add_avenant(session, current_identity(), row, when, objet)), 201


@bp.get("/cpoms/<uuid:cpom_id>/journal")
@authenticated
def journal(cpom_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "journal")
        return jsonify({"items": sheet.journal(session, row["id"])})


# -- objectives grid ------------------------------------------------------------------------------

@bp.get("/cpoms/<uuid:cpom_id>/grille")
@authenticated
def show_grid(cpom_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(grid.grid_view(session, row["id"], cpom_access))


@bp.put("/cpoms/<uuid:cpom_id>/grille")
@authenticated
def import_grid(cpom_id):
    """The grid document (docs/cpom.md « Grille des objectifs : import JSON »): replaces the grid."""
    document = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        counts = grid.import_grid(session, current_identity(), row["id"], document)
        return jsonify({"message": "Grille importée.", **counts, **grid.grid_view(session, row["id"], cpom_access)})


@bp.post("/cpoms/<uuid:cpom_id>/axes")
@authenticated
def add_axe(cpom_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        return jsonify(grid.add_axe(session, current_identity(), row["id"], data)), 201


@bp.post("/cpoms/<uuid:cpom_id>/axes/<uuid:axe_id>/objectifs")
@authenticated
def add_objectif(cpom_id, axe_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        objectif_id = grid.add_objectif(session, current_identity(), row["id"], str(axe_id), data)
        return jsonify(grid.objectif_view(session, row["id"], objectif_id, cpom_access)), 201


@bp.get("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>")
@authenticated
def show_objectif(cpom_id, objectif_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(grid.objectif_view(session, row["id"], str(objectif_id), cpom_access))


@bp.patch("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>")
@authenticated
def update_objectif(cpom_id, objectif_id):
    data = json_object()
    forms.reject_unknown(data, ("code", "libelle", "description", "perimetre", "elements_og"))
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        grid.update_objectif(session, current_identity(), row["id"], str(objectif_id), data)
        return jsonify(grid.objectif_view(session, row["id"], str(objectif_id), cpom_access))


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
        grid.save_entry(session, current_identity(), row["id"], str(objectif_id), data)
        return jsonify(grid.objectif_view(session, row["id"], str(objectif_id), cpom_access))


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
        return jsonify(grid.add_action(session, current_identity(), row["id"], str(objectif_id), text)), 201


@bp.post("/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>/indicateurs")
@authenticated
def add_indicateur(cpom_id, objectif_id):
    data = json_object()
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        indicateur_id = grid.add_indicateur(session, current_identity(), row["id"], str(objectif_id), data)
        return jsonify(grid.indicateur_view(session, row["id"], indicateur_id, cpom_access)), 201


@bp.get("/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>")
@authenticated
def show_indicateur(cpom_id, indicateur_id):
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(grid.indicateur_view(session, row["id"], str(indicateur_id), cpom_access))


@bp.patch("/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>")
@authenticated
def update_indicateur(cpom_id, indicateur_id):
    data = json_object()
    forms.reject_unknown(data, grid.INDICATEUR_COLUMNS)
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        grid.update_indicateur(session, current_identity(), row["id"], str(indicateur_id), data)
        return jsonify(grid.indicateur_view(session, row["id"], str(indicateur_id), cpom_access))


@bp.put("/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>/valeurs")
@authenticated
def save_values(cpom_id, indicateur_id):
    """{"valeurs": [{"etablissement": "FINESS", "numerateur": 12, "denominateur": 150}, …]} (see docs)."""
    data = json_object()
    forms.reject_unknown(data, ("valeurs",))
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id))
        require(cpom_access, "saisir")
        grid.save_values(session, current_identity(), row["id"], str(indicateur_id), data.get("valeurs"))
        return jsonify(grid.indicateur_view(session, row["id"], str(indicateur_id), cpom_access))


DELETABLE = {"axes": (axes, "axe"), "objectifs": (objectifs, "objectif"), "indicateurs": (indicateurs, "indicateur")}


@bp.delete("/cpoms/<uuid:cpom_id>/<any(axes, objectifs, indicateurs):kind>/<uuid:item_id>")
@authenticated
def delete_grid_item(cpom_id, kind, item_id):
    """Deletes the item with what hangs from it (objectives, indicators, actions, values)."""
    table, what = DELETABLE[kind]
    with unit_of_work() as session:
        row, cpom_access = load_cpom(session, current_identity(), str(cpom_id), lock=True)
        require(cpom_access, "modifier")
        grid.delete(session, current_identity(), row["id"], table, str(item_id), what)
    return "", 204


# -- « Remarques » --------------------------------------------------------------------------------

@bp.get("/cpoms/<uuid:cpom_id>/remarques")
@authenticated
def list_remarks(cpom_id):
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify({"items": grid.remarks(session, row["id"])})


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
        return jsonify(grid.add_remark(session, current_identity(), row["id"], text)), 201


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


@bp.get("/cpoms/<uuid:cpom_id>/transmissions/<int:version>")
@authenticated
def show_transmission(cpom_id, version: int):
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        found = transmission.one(session, row["id"], version)
    if found is None:
        raise ApiError(404, "not_found", "Transmission introuvable.")
    return jsonify(found)


@bp.get("/cpoms/<uuid:cpom_id>/export")
@authenticated
def export_cpom(cpom_id):
    """The CPOM as it stands (the transmission snapshot, untransmitted): what the Word « fiche Objectif »
    and « Tableau de synthèse » print (read by the reporting service with the caller's token)."""
    with unit_of_work() as session:
        row, _ = load_cpom(session, current_identity(), str(cpom_id))
        return jsonify(transmission.snapshot(session, row))


@bp.get("/territoire/transmissions")
@authenticated
def territory_transmissions():
    """The ARS back-office view: the transmissions of the CPOMs of the caller's territory (ARS: its region,
    CD: its département), newest first, at most 200."""
    identity = current_identity()
    if identity.role not in ("ars", "cd", "admin"):
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
