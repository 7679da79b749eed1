"""« Gestion des habilitations » (guide 004, « Ouvrir un accès à un collaborateur ») of an EJ, a contract or a
CPOM: the table of accesses with their « Administrateur » and « Visibilité documents confidentiels » flags,
« Valider », and « Création d'un contact ». The auth service decides who may manage them, and which scopes exist."""

from urllib.parse import quote, urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from gateway.ui.pages import CIVILITES, field_errors, login_required, page_blueprint, paginate
from gateway.ui.session import api_error, call, unexpected

bp = page_blueprint("habilitations")

NOT_ADMINISTRATEUR = "Vous devez disposer d'un profil « Administrateur » pour pouvoir ajouter des accès"
CONTACT_LABELS = {"civilite": "Civilité", "nom": "Nom", "prenom": "Prénom", "fonction": "Fonction",
                  "email": "Courriel"}


TEAM_FIELDS = ("nom_complet", "fonction", "telephone", "telephone_mobile", "courriel")


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


def scope_of(scope_type: str, scope_id: str) -> dict:
    """What the page names (« CPOM « nom » de l'EJ … »), the page it goes back to, and the EJ whose accesses
    open it too (a CPOM's, a contract's): read from the service that owns it; the id when it cannot say."""
    quoted = quote(scope_id, safe="")
    if scope_type == "cpom":
        answer = call("cpom", "GET", f"/cpoms/{quoted}")
        cpom = answer.json() if answer.status_code == 200 else {}
        return {"name": f"au CPOM « {cpom.get('nom') or scope_id} »", "back": f"/cpom/{quoted}",
                "ej": (cpom.get("ej") or {}).get("finess"), "ej_label": (cpom.get("ej") or {}).get("libelle")}
    if scope_type == "contract":
        answer = call("contracts", "GET", f"/contracts/{quoted}")
        contract = answer.json() if answer.status_code == 200 else {}
        ej = contract.get("ej") or {}
        label = " - ".join(filter(None, (ej.get("finess"), ej.get("raison_sociale"))))
        return {"name": f"au contrat « {contract.get('name') or scope_id} »", "back": f"/contrats/{quoted}",
                "ej": ej.get("finess"), "ej_label": label}
    return {"name": f"à l'établissement (EJ) {scope_id}", "back": f"/ej/{quoted}", "ej": None, "ej_label": None}


def through_ej(scope: dict) -> list[dict]:
    """The people who reach the CPOM or contract through an access to its EJ (none shown if this person may not
    see the EJ's accesses)."""
    if not scope["ej"]:
        return []
    answer = call("auth", "GET", "/habilitations?" + urlencode({"scope_type": "ej", "scope_id": scope["ej"]}))
    return answer.json()["items"] if answer.status_code == 200 else []


def habilitations_page(scope_type: str, scope_id: str, adding: bool = False, contact: dict | None = None,
                       errors: dict | None = None, status: int = 200):
    items = habilitations_of(scope_type, scope_id)
    scope = scope_of(scope_type, scope_id)
    return render_template("habilitations.html", scope_type=scope_type, scope_id=scope_id, adding=adding,
                           contact=contact or {}, errors=errors or {}, civilites=CIVILITES, scope=scope,
                           inherited=through_ej(scope),
                           **paginate(items, f"/habilitations/{scope_type}/{quote(scope_id, safe='')}")), status


def join_equipe_etablissement(cpom_id: str, item: dict, contact: dict) -> None:
    """A contact given an access to a CPOM joins its « Equipe Etablissement » (guide 004), unless already in it."""
    path = f"/cpoms/{quote(cpom_id, safe='')}"
    sheet = call("cpom", "GET", path)
    if sheet.status_code != 200:
        return
    team = [{k: person.get(k) or "" for k in TEAM_FIELDS} for person in sheet.json()["equipe"]["etablissement"]]
    if any(person["courriel"].lower() == contact["email"].lower() for person in team):
        return
    team.append({"nom_complet": item.get("nom_complet") or f"{contact['nom']} {contact['prenom']}",
                 "fonction": contact["fonction"], "telephone": "", "telephone_mobile": "",
                 "courriel": contact["email"]})
    answer = call("cpom", "PUT", f"{path}/equipe", json={"etablissement": team})
    if answer.status_code != 200:
        flash("L'accès est ouvert, mais le contact n'a pas pu être ajouté à l'« Equipe Etablissement » : "
              + (api_error(answer)[1] or "réessayez plus tard."), "warning")


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
            if scope_type == "cpom":
                join_equipe_etablissement(scope_id, item, contact)
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
