"""The CPOM's fiches (guide 004): « fiche Objectif » (its actions, « Élément sélectionné par l'OG ») and
« fiche indicateur » (the « valeur initiale » ET par ET, a rate computed by the service), from the cpom
service. The CPOM's sheet: gateway/ui/cpom.py."""

from flask import flash, redirect, render_template, request, url_for

from ecars_common.numbers import whole_number
from gateway.ui.french import french_number
from gateway.ui.pages import login_required, page_blueprint
from gateway.ui.session import api_error, call, ok_json, unexpected

bp = page_blueprint("cpom_fiches")


def cpom_call(method: str, path: str, json=None):
    return call("cpom", method, path, json=json)


# -- « fiche Objectif » -------------------------------------------------------------------------------------

def objective_page(cpom_id: str, objective_id: str, values: dict | None = None, errors: dict | None = None,
                   status: int = 200):
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    objective = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/objectifs/{objective_id}"))
    if values is None:
        values = {f"action-{a['numero']}": a["libelle"] for a in objective["actions"]}
        values["element_og"] = objective["option_og"]["element_selectionne"] or ""
        values["nouvelle_action"] = ""
    return render_template("cpom/objective.html", cpom=sheet, objective=objective, values=values,
                           errors=errors or {}), status


@bp.get("/cpom/<uuid:cpom_id>/objectifs/<uuid:objective_id>")
@login_required
def objective_view(cpom_id, objective_id):
    return objective_page(str(cpom_id), str(objective_id))


@bp.post("/cpom/<uuid:cpom_id>/objectifs/<uuid:objective_id>")
@login_required
def objective_save(cpom_id, objective_id):
    """« Enregistrer »: the actions already entered (changed, or emptied to remove them), the OG's element, then
    the new action (the service refuses a sixth with its message)."""
    cpom_id, objective_id = str(cpom_id), str(objective_id)
    path = f"/cpoms/{cpom_id}/objectifs/{objective_id}"
    objective = ok_json(cpom_call("GET", path))
    values = {name: request.form.get(name, "").strip() for name in request.form if name != "csrf_token"}
    values.setdefault("nouvelle_action", "")
    actions = [values.get(f"action-{a['numero']}", a["libelle"]) for a in objective["actions"]]
    entry = {}
    if [a for a in actions if a] != [a["libelle"] for a in objective["actions"]]:
        entry["actions"] = [a for a in actions if a]
    if objective["option_og"]["active"]:
        chosen = values.get("element_og") or None
        if chosen != objective["option_og"]["element_selectionne"]:
            entry["element_selectionne_og"] = chosen
    saved = False
    if entry:
        answer = cpom_call("PUT", f"{path}/saisie", json=entry)
        if answer.status_code != 200:
            code, message, details = api_error(answer)
            if answer.status_code in (403, 422):
                errors = {"_": message}
                if "element_selectionne_og" in details:
                    errors["element_og"] = f"{message} ({details['element_selectionne_og']})"
                return objective_page(cpom_id, objective_id, values, errors, status=answer.status_code)
            raise unexpected(answer)
        saved = True
    if values["nouvelle_action"]:
        answer = cpom_call("POST", f"{path}/actions", json={"libelle": values["nouvelle_action"]})
        if answer.status_code != 201:
            code, message, details = api_error(answer)
            if answer.status_code in (403, 422):
                if saved:
                    flash("Les autres modifications sont enregistrées.", "info")
                return objective_page(cpom_id, objective_id, values, {"nouvelle_action": message},
                                      status=answer.status_code)
            raise unexpected(answer)
        saved = True
    if saved:
        flash("La fiche objectif est enregistrée.", "success")
    else:
        flash("Aucune modification à enregistrer.", "info")
    return redirect(url_for("cpom_fiches.objective_view", cpom_id=cpom_id, objective_id=objective_id))


# -- « fiche indicateur » -------------------------------------------------------------------------------------

def typed_value(line: dict, kind: str) -> dict:
    """What a line's controls hold when the page opens."""
    if kind == "taux":
        return {"numerateur": french_number(line["numerateur"]) if line["numerateur"] is not None else "",
                "denominateur": french_number(line["denominateur"]) if line["denominateur"] is not None else ""}
    value = line["valeur"]
    if value is None:
        return {"valeur": ""}
    if kind == "oui_non":
        return {"valeur": "oui" if value else "non"}
    return {"valeur": french_number(value) if kind == "quantitatif" else str(value)}


def line_key(line: dict) -> str:
    return line["etablissement"]["finess"] if line["etablissement"] else "cpom"


def indicator_page(cpom_id: str, indicator_id: str, values: dict | None = None, errors: dict | None = None,
                   failure: str = "", status: int = 200):
    sheet = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}"))
    indicator = ok_json(cpom_call("GET", f"/cpoms/{cpom_id}/indicateurs/{indicator_id}"))
    kind = indicator["type"]["code"]
    if values is None:
        values = {line_key(line): typed_value(line, kind) for line in indicator["valeurs"]}
    return render_template("cpom/indicator.html", cpom=sheet, indicator=indicator, kind=kind, values=values,
                           errors=errors or {}, failure=failure, line_key=line_key), status


@bp.get("/cpom/<uuid:cpom_id>/indicateurs/<uuid:indicator_id>")
@login_required
def indicator_view(cpom_id, indicator_id):
    return indicator_page(str(cpom_id), str(indicator_id))


@bp.post("/cpom/<uuid:cpom_id>/indicateurs/<uuid:indicator_id>")
@login_required
def indicator_save(cpom_id, indicator_id):
    """« Enregistrer »: the « valeur initiale » of each line changed (ET par ET: one line per ET of the
    objective's perimeter); emptied lines are erased; nothing is saved unless every line is right."""
    cpom_id, indicator_id = str(cpom_id), str(indicator_id)
    path = f"/cpoms/{cpom_id}/indicateurs/{indicator_id}"
    indicator = ok_json(cpom_call("GET", path))
    kind = indicator["type"]["code"]
    fields = ("numerateur", "denominateur") if kind == "taux" else ("valeur",)
    values, sent, places = {}, [], []
    for line in indicator["valeurs"]:
        key = line_key(line)
        typed = {name: request.form.get(f"{name}-{key}", "").strip() for name in fields}
        values[key] = typed
        if typed == typed_value(line, kind):
            continue
        item = {"etablissement": key} if line["etablissement"] else {}
        if not any(typed.values()):
            if not line["renseignee"]:
                continue
            item["effacer"] = True
        elif kind == "oui_non":
            item["valeur"] = typed["valeur"] == "oui"
        else:
            item.update(typed)
        sent.append(item)
        places.append(key)
    if not sent:
        flash("Aucune modification à enregistrer.", "info")
        return redirect(url_for("cpom_fiches.indicator_view", cpom_id=cpom_id, indicator_id=indicator_id))
    answer = cpom_call("PUT", f"{path}/valeurs", json={"valeurs": sent})
    if answer.status_code == 200:
        flash("Les valeurs de l'indicateur sont enregistrées.", "success")
        return redirect(url_for("cpom_fiches.indicator_view", cpom_id=cpom_id, indicator_id=indicator_id))
    code, message, details = api_error(answer)
    if answer.status_code in (403, 422):
        errors = {}
        for name, text in (details or {}).items():
            # valeurs[1].denominateur → the field of that line
            head, _, field = name.partition(".")
            index = head[len("valeurs["):-1] if head.startswith("valeurs[") else ""
            if (line := whole_number(index, 0, len(places) - 1)) is not None:
                target = field if field in fields else fields[-1]
                errors[f"{target}-{places[line]}"] = str(text)
        return indicator_page(cpom_id, indicator_id, values, errors,
                              failure=message or "Certaines valeurs ne sont pas valides : rien n'a été enregistré.",
                              status=answer.status_code)
    raise unexpected(answer)
