"""Referentials (the labels the web UI shows), the organisations import, the EJ list and page.
Routes and bodies: docs/cpom.md."""

from flask import Blueprint, jsonify, request

from ecars_common.app import settings, unit_of_work
from ecars_common.errors import ApiError
from ecars_common.numbers import whole_number
from ecars_common.roles import AUTHORITIES
from ecars_common.tokens import authenticated, current_identity
from services.cpom import (
    access,
    domain,
    forms,
    organisations,
)

bp = Blueprint("cpom_organisations", __name__)


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
    if identity.role not in AUTHORITIES:
        raise access.forbidden("L'import des organisations est réservé aux utilisateurs ARS, CD et administrateurs.")
    raw = read_body(settings().import_max_bytes)
    try:
        rows = domain.parse_organisations_csv(domain.decode_csv(raw), settings().import_max_rows)
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
    if whole_number(page, 1, 100000) is None:
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
