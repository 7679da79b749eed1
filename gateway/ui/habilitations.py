"""« Gestion des habilitations » (guide 004, « Ouvrir un accès à un collaborateur ») of an EJ, a contract or a
CPOM: the table of accesses with their « Administrateur » and « Visibilité documents confidentiels » flags,
« Valider », and « Création d'un contact ». The auth service decides who may manage them, and which scopes exist."""

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from gateway.ui.pages import CIVILITES, field_errors, login_required, page_blueprint, paginate
from gateway.ui.session import api_error, call, unexpected

bp = page_blueprint("habilitations")

NOT_ADMINISTRATEUR = "Vous devez disposer d'un profil « Administrateur » pour pouvoir ajouter des accès"
CONTACT_LABELS = {"civilite": "Civilité", "nom": "Nom", "prenom": "Prénom", "fonction": "Fonction",
                  "email": "Courriel"}


class NotAdministrateur(Exception):
    """The auth service answered 403 not_administrateur."""


@bp.errorhandler(NotAdministrateur)
def _not_administrateur(_exc):
    return render_template("forbidden.html", message=NOT_ADMINISTRATEUR), 403


def refused(answer) -> None:
    """A 403 is « not an Administrateur of this scope »; a scope type auth does not know, a page that does
    not exist."""
    if answer.status_code == 403:
        raise NotAdministrateur()
    code, _, details = api_error(answer)
    if code == "validation_failed" and "scope_type" in details:
        abort(404)


def habilitations_of(scope_type: str, scope_id: str) -> list[dict]:
    answer = call("auth", "GET", "/habilitations?" + urlencode({"scope_type": scope_type, "scope_id": scope_id}))
    refused(answer)
    if answer.status_code != 200:
        raise unexpected(answer)
    return answer.json()["items"]


def habilitations_page(scope_type: str, scope_id: str, adding: bool = False, contact: dict | None = None,
                       errors: dict | None = None, status: int = 200):
    items = habilitations_of(scope_type, scope_id)
    return render_template("habilitations.html", scope_type=scope_type, scope_id=scope_id, adding=adding,
                           contact=contact or {}, errors=errors or {}, civilites=CIVILITES,
                           **paginate(items)), status


@bp.get("/habilitations/<scope_type>/<scope_id>")
@login_required
def habilitations_view(scope_type: str, scope_id: str):
    """« Gestion des habilitations » of an EJ, a contract or a CPOM."""
    return habilitations_page(scope_type, scope_id, adding=request.args.get("ajouter") == "1")


@bp.post("/habilitations/<scope_type>/<scope_id>/ajouter")
@login_required
def habilitation_add(scope_type: str, scope_id: str):
    """« Création d'un contact » → « Enregistrer »."""
    contact = {name: request.form.get(name, "").strip() for name in CONTACT_LABELS}
    flags = {name: request.form.get(name) == "oui" for name in ("administrateur", "visibilite_documents_confidentiels")}
    errors = {}
    if contact["civilite"] not in CIVILITES:
        errors["civilite"] = "Sélectionnez la civilité."
    for name in ("nom", "prenom", "fonction", "email"):
        if not contact[name]:
            errors[name] = f"Renseignez le champ « {CONTACT_LABELS[name]} »."
    if not errors:
        answer = call("auth", "POST", "/habilitations",
                      json={"scope_type": scope_type, "scope_id": scope_id, **contact, **flags})
        refused(answer)
        if answer.status_code == 201:
            item = answer.json()
            if item.get("compte_cree"):
                flash(f"Accès ajouté pour {item['nom_complet']} : un email lui a été envoyé avec ses accès "
                      "personnels.", "success")
            else:
                flash(f"Accès ajouté pour {item['nom_complet']}, qui avait déjà un compte e-CARS.", "success")
            return redirect(url_for("habilitations.habilitations_view", scope_type=scope_type, scope_id=scope_id))
        code, _, details = api_error(answer)
        if code != "validation_failed":
            raise unexpected(answer)
        errors = field_errors(details, CONTACT_LABELS) or {"_": "Les informations saisies ne sont pas valides."}
    return habilitations_page(scope_type, scope_id, adding=True, contact={**contact, **flags}, errors=errors,
                              status=422)


@bp.post("/habilitations/<scope_type>/<scope_id>")
@login_required
def habilitations_validate(scope_type: str, scope_id: str):
    """« Valider »: the flags changed in the table are saved, row by row."""
    items = {item["id"]: item for item in habilitations_of(scope_type, scope_id)}
    administrateurs = set(request.form.getlist("administrateur"))
    visibles = set(request.form.getlist("visibilite"))
    changed = 0
    for row_id in request.form.getlist("ligne"):
        item = items.get(row_id)
        if item is None:
            continue  # removed meanwhile, or not of this scope
        changes = {}
        if (row_id in administrateurs) != bool(item["administrateur"]):
            changes["administrateur"] = row_id in administrateurs
        if (row_id in visibles) != bool(item["visibilite_documents_confidentiels"]):
            changes["visibilite_documents_confidentiels"] = row_id in visibles
        if changes:
            answer = call("auth", "PATCH", f"/habilitations/{row_id}", json=changes)
            refused(answer)
            if answer.status_code != 200:
                raise unexpected(answer)
            changed += 1
    if changed:
        flash(f"Modifications enregistrées ({changed} accès modifié{'s' if changed > 1 else ''}).", "success")
    else:
        flash("Aucune modification à enregistrer.", "info")
    return redirect(url_for("habilitations.habilitations_view", scope_type=scope_type, scope_id=scope_id,
                            page=request.form.get("page") or None))
