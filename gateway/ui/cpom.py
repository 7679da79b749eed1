"""« CPOM - Contractualisation » (guide 004, « Guide d'utilisation de l'extranet e-CARS médico-social »), rendered
from the cpom service (sheet, status, validations, grid, remarks, transmissions), the documents service (folders,
« Documents de référence ») and the reporting service (the Word documents). The EJ's CPOM parts are on its page
(gateway/ui/home.py); the « fiche Objectif » and « fiche indicateur »: gateway/ui/cpom_fiches.py."""

from urllib.parse import quote, urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from ecars_common import roles
from ecars_common.errors import ApiError
from gateway.ui.french import french_date, human_size, moment
from gateway.ui.pages import (
    flash_refusal,
    login_required,
    page_blueprint,
    upload_refusal_for,
    upload_refused,
    upload_refused_back,
)
from gateway.ui.session import (
    api_error,
    call,
    download_document,
    ok_json,
    referential,
    send_document,
    unexpected,
    word_document,
)

bp = page_blueprint("cpom", french_date=french_date, moment=moment)

WORD_UNAVAILABLE = ("La génération du document Word n'est pas encore disponible : le service de génération est en "
                    "cours de mise en place. Réessayez plus tard.")
NO_FOLDER = "Sélectionnez d'abord le dossier dans lequel déposer le document."
NO_FILE = "Sélectionnez le fichier à ajouter."


def cpom_call(method: str, path: str, json=None):
    return call("cpom", method, path, json=json)


def planning() -> list[tuple[str, str]]:
    """The planning's fields and their labels, as the cpom service names them (GET /referentiels)."""
    return [(item["cle"], item["libelle"]) for item in referential("cpom", "/referentiels")["planning"]]


# -- « CPOM - Contractualisation » ---------------------------------------------------------------------

def folders_of(cpom_id: str) -> tuple[list[dict], str]:
    """The folder tree with each folder's documents, and a message when the documents cannot be shown."""
    try:
        answer = call("documents", "GET", f"/cpoms/{cpom_id}/folders")
    except ApiError:
        return [], "Les documents sont momentanément indisponibles."
    if answer.status_code != 200:
        _, message, _ = api_error(answer)
        return [], message or "Les documents ne sont pas accessibles."

    def fill(items: list[dict]) -> list[dict]:
        for folder in items:
            folder["items"] = []
            if folder.get("documents"):
                listing = call("documents", "GET", f"/cpoms/{cpom_id}/folders/{folder['id']}/documents")
                if listing.status_code == 200:
                    folder["items"] = listing.json()["items"]
            fill(folder.get("children") or [])
        return items

    return fill(answer.json()["items"]), ""


def manages_accesses(cpom_id: str) -> bool:
    """« Gérer les accès » is shown to those the auth service lets manage the CPOM's accesses (an Administrateur,
    the ARS or CD of its territory), not to those it would then refuse."""
    answer = call("auth", "GET", "/habilitations?" + urlencode({"scope_type": "cpom", "scope_id": cpom_id}))
    return answer.status_code == 200


def transmissions_of(cpom_id: str) -> list[dict]:
    answer = cpom_call("GET", f"/cpoms/{cpom_id}/transmissions")
    return answer.json()["items"] if answer.status_code == 200 else []


def sheet_page(cpom_id: str, refusal: dict | None = None, upload_error: str = "", remark: str = "",
               remark_error: str = "", status: int = 200):
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    grid = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/grille"))
    folders, folders_problem = folders_of(cpom_id)
    upload_error = upload_error or upload_refusal_for(cpom_id)  # a refused « Ajouter un fichier », redirected
    return render_template(
        "cpom/sheet.html", cpom=sheet, grid=grid, planning=planning(), folders=folders, folders_problem=folders_problem,
        manages_accesses=manages_accesses(cpom_id),
        transmissions=transmissions_of(cpom_id), refusal=refusal, upload_error=upload_error, remark=remark,
        remark_error=remark_error, human_size=human_size, selected_folder=request.values.get("dossier", ""),
        objectives=[o for axe in grid["axes"] for o in axe["objectifs"]],
    ), status


def to_sheet(cpom_id: str, anchor: str = ""):
    return redirect(url_for("cpom.sheet_view", cpom_id=cpom_id) + (f"#{anchor}" if anchor else ""))


@bp.get("/cpom/<uuid:cpom_id>")
@login_required
def sheet_view(cpom_id):
    return sheet_page(str(cpom_id))



@bp.post("/cpom/<uuid:cpom_id>/statut")
@login_required
def status_change(cpom_id):
    statut = request.form.get("statut", "")
    body = {"statut": statut}
    if request.form.get("motif", "").strip():
        body["motif"] = request.form["motif"].strip()
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/statut", json=body)
    libelle = answer.json()["statut"]["libelle"] if answer.status_code == 200 else ""
    flash_refusal(answer, f"Le statut du CPOM est maintenant « {libelle} ».")
    return to_sheet(str(cpom_id), "statut")


@bp.post("/cpom/<uuid:cpom_id>/validation")
@login_required
def validation(cpom_id):
    autorite = request.form.get("autorite", "")
    if autorite not in roles.AUTHORITY_OF_ROLE.values():
        abort(400, "Le formulaire est incomplet : rechargez la page et recommencez.")
    valide = request.form.get("valide") == "oui"
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/validation", json={"autorite": autorite, "valide": valide})
    flash_refusal(answer, f"Validation {autorite} : {'Oui' if valide else 'Non'}.")
    return to_sheet(str(cpom_id), "validation")


# -- « Transmettre les informations » ----------------------------------------------------------------

@bp.post("/cpom/<uuid:cpom_id>/transmettre")
@login_required
def transmit(cpom_id):
    cpom_id = str(cpom_id)
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/transmissions")
    if answer.status_code == 201:
        sent = answer.json()
        changes = ("première transmission" if sent["version"] == 1
                   else f"{sent['nb_changements']} modification{'s' if sent['nb_changements'] > 1 else ''}")
        flash(f"Les informations sont transmises aux autorités publiques : version {sent['version']} ({changes}).",
              "success")
        return to_sheet(cpom_id, "transmissions")
    code, message, details = api_error(answer)
    if code == "incomplete":
        return sheet_page(cpom_id, refusal={"message": message, "missing": details.get("manquants") or []},
                          status=422)
    if code in ("unchanged", "forbidden"):
        flash(message, "error" if code == "forbidden" else "info")
        return to_sheet(cpom_id, "transmissions")
    raise unexpected(answer)


# -- « Documents » ---------------------------------------------------------------------------------------

@bp.post("/cpom/<uuid:cpom_id>/documents")
@login_required
def add_document(cpom_id):
    """« Ajouter un fichier » in the selected folder, streamed to the documents service (session.send_document)."""
    cpom_id = str(cpom_id)
    folder_id = request.form.get("dossier", "")
    upload = request.files.get("fichier")
    back = url_for("cpom.sheet_view", cpom_id=cpom_id, dossier=folder_id or None) + "#documents"
    if not folder_id:
        return upload_refused_back(back, cpom_id, NO_FOLDER)
    if upload is None or not upload.filename:
        return upload_refused_back(back, cpom_id, NO_FILE)
    answer = send_document(f"/cpoms/{cpom_id}/folders/{quote(folder_id, safe='')}/documents", upload)
    refusal = upload_refused(answer, upload)
    if refusal:
        return upload_refused_back(back, cpom_id, refusal)
    return redirect(back, 303)


@bp.get("/cpom/<uuid:cpom_id>/documents/<uuid:document_id>")
@login_required
def download(cpom_id, document_id):
    return download_document(document_id)


@bp.get("/cpom/<uuid:cpom_id>/documents-de-reference")
@login_required
def references(cpom_id):
    """« Documents de référence »: the documents the ARS of the CPOM's region puts at everyone's disposal."""
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    regions = sorted({e["region"] for e in sheet["etablissements"] if e.get("region")})
    lists, problem = [], ""
    for region in regions:
        answer = call("documents", "GET", f"/references/{quote(region, safe='')}")
        if answer.status_code == 200:
            lists.append((region, answer.json()["items"]))
        else:
            problem = api_error(answer)[1] or "Les documents de référence ne sont pas accessibles."
    return render_template("cpom/references.html", cpom=sheet, lists=lists, problem=problem, human_size=human_size)


# -- Word documents (reporting service) ------------------------------------------------------------------

def word(cpom_id: str, path: str, back: str):
    answer = call("reporting", "GET", path, stream=True)
    if answer.status_code == 404:
        answer.read()
        answer.close()
        flash(WORD_UNAVAILABLE, "warning")
        return redirect(back)
    return word_document(answer)


@bp.get("/cpom/<uuid:cpom_id>/fiche-objectif")
@login_required
def objective_word_choice(cpom_id):
    """« Génération fiche Objectif » of the sheet: the objective chosen in its list."""
    objective = request.args.get("objectif", "")
    if not objective:
        flash("Choisissez l'objectif dont générer la fiche.", "error")
        return to_sheet(str(cpom_id), "generation")
    return redirect(url_for("cpom.objective_word", cpom_id=cpom_id, objective_id=objective))


@bp.get("/cpom/<uuid:cpom_id>/fiche-objectif/<uuid:objective_id>.docx")
@login_required
def objective_word(cpom_id, objective_id):
    """The reporting service names the objective by its code: read from the fiche Objectif."""
    objective = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/objectifs/{objective_id}"))
    back = request.referrer if (request.referrer or "").startswith(request.host_url) else None
    return word(str(cpom_id), f"/cpoms/{cpom_id}/fiche-objectif/{quote(objective['code'], safe='')}.docx",
                back or url_for("cpom_fiches.objective_view", cpom_id=cpom_id, objective_id=objective_id))


@bp.get("/cpom/<uuid:cpom_id>/synthese.docx")
@login_required
def synthesis_word(cpom_id):
    return word(str(cpom_id), f"/cpoms/{cpom_id}/synthese.docx",
                url_for("cpom.sheet_view", cpom_id=cpom_id) + "#generation")


@bp.get("/cpom/<uuid:cpom_id>/transmissions/<int:version>/accuse.pdf")
@login_required
def transmission_receipt(cpom_id, version: int):
    """« Accusé de transmission » (PDF) of transmission n° `version` (docs/receipts.md)."""
    return word(str(cpom_id), f"/cpoms/{cpom_id}/transmissions/{version}/receipt.pdf",
                url_for("cpom.sheet_view", cpom_id=cpom_id) + "#transmissions")


# -- « Remarques » ----------------------------------------------------------------------------------------

@bp.post("/cpom/<uuid:cpom_id>/remarques")
@login_required
def add_remark(cpom_id):
    cpom_id = str(cpom_id)
    text = request.form.get("texte", "").strip()
    if not text:
        return sheet_page(cpom_id, remark_error="Saisissez votre remarque.", status=422)
    answer = cpom_call("POST", f"/cpoms/{cpom_id}/remarques", json={"texte": text})
    if answer.status_code == 201:
        flash("Votre remarque est enregistrée.", "success")
        return to_sheet(cpom_id, "remarques")
    code, message, details = api_error(answer)
    if answer.status_code == 422:
        return sheet_page(cpom_id, remark=text, remark_error=details.get("texte") and f"{message} ({details['texte']})"
                          or message, status=422)
    raise unexpected(answer)


