"""The objectives grid (axes, objectives, ≤ 5 actions, indicators) as an authority imports or edits it."""

import re

from ecars_common.payload import text_into
from services.cpom.domain.value_rules import parse_regles

MAX_ACTIONS = 5
TOO_MANY_ACTIONS = f"Vous pouvez renseigner jusqu'à {MAX_ACTIONS} actions par objectif."
INDICATOR_TYPES = (("quantitatif", "Quantitatif"), ("qualitatif", "Qualitatif"), ("taux", "Taux"),
                   ("oui_non", "Oui / Non"))
CATEGORIES = (("accompagnement", "Accompagnement"), ("soins", "Soins"), ("parcours", "Parcours"),
              ("cooperation", "Coopération"), ("pilotage_interne", "Pilotage interne"))
DECLINAISONS = (("et_par_et", "ET par ET"), ("cpom", "CPOM"))
TYPE_LABELS, CATEGORY_LABELS, DECLINAISON_LABELS = dict(INDICATOR_TYPES), dict(CATEGORIES), dict(DECLINAISONS)
CODE = re.compile(r"^[\w][\w .\-/]{0,39}$")
MAX_LABEL, MAX_LONG_TEXT, MAX_ELEMENTS_OG = 500, 5000, 20


class GridError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(f"{len(errors)} erreur(s)")
        self.errors = errors


def _code(raw, where: str, errors: dict) -> str:
    code = text_into(raw, where, errors, max_length=40)
    if code and where not in errors and not CODE.match(code):
        errors[where] = "lettres, chiffres, espaces, points, tirets (au plus 40 caractères)"
    return code


def _choice(raw, where: str, errors: dict, choices) -> str:
    codes = [code for code, _ in choices]
    if raw not in codes:
        errors[where] = "valeurs possibles : " + ", ".join(codes)
        return ""
    return raw


def parse_axe(raw, where: str, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors[where or "axe"] = "un objet est attendu"
        return {}
    prefix = f"{where}." if where else ""
    return {"code": _code(raw.get("code"), f"{prefix}code", errors),
            "libelle": text_into(raw.get("libelle"), f"{prefix}libelle", errors, max_length=MAX_LABEL)}


def parse_objectif(raw, where: str, errors: dict, perimeter: set[str]) -> dict:
    """An objective: code, libelle, description, perimetre ("tous" or a list of FINESS of ETs of the CPOM's
    perimeter), elements_og (the choices offered to the OG; empty = the option is off)."""
    if not isinstance(raw, dict):
        errors[where or "objectif"] = "un objet est attendu"
        return {}
    prefix = f"{where}." if where else ""
    item = {"code": _code(raw.get("code"), f"{prefix}code", errors),
            "libelle": text_into(raw.get("libelle"), f"{prefix}libelle", errors, max_length=MAX_LABEL),
            "description": text_into(raw.get("description"), f"{prefix}description", errors, required=False,
                                 max_length=MAX_LONG_TEXT)}
    scope = raw.get("perimetre", "tous")
    if scope == "tous":
        item["perimetre_tous"], item["etablissements"] = True, []
    elif isinstance(scope, list) and scope and all(isinstance(f, str) for f in scope):
        unknown = [f for f in scope if f not in perimeter]
        if unknown:
            errors[f"{prefix}perimetre"] = "hors du périmètre du CPOM : " + ", ".join(unknown)
        elif len(set(scope)) != len(scope):
            errors[f"{prefix}perimetre"] = "un établissement est cité deux fois"
        item["perimetre_tous"], item["etablissements"] = False, list(dict.fromkeys(scope))
    else:
        errors[f"{prefix}perimetre"] = "« tous » ou une liste non vide de FINESS d'ET du CPOM"
        item["perimetre_tous"], item["etablissements"] = True, []
    elements = raw.get("elements_og", [])
    if not isinstance(elements, list) or len(elements) > MAX_ELEMENTS_OG or not all(
            isinstance(e, str) and e.strip() and len(e.strip()) <= 200 for e in elements):
        errors[f"{prefix}elements_og"] = f"une liste d'au plus {MAX_ELEMENTS_OG} libellés (200 caractères chacun)"
        elements = []
    elif len({e.strip() for e in elements}) != len(elements):
        errors[f"{prefix}elements_og"] = "un élément est cité deux fois"
    item["elements_og"] = [e.strip() for e in elements]
    return item


def parse_indicateur(raw, where: str, errors: dict) -> dict:
    if not isinstance(raw, dict):
        errors[where or "indicateur"] = "un objet est attendu"
        return {}
    prefix = f"{where}." if where else ""
    return {"code": _code(raw.get("code"), f"{prefix}code", errors),
            "libelle": text_into(raw.get("libelle"), f"{prefix}libelle", errors, max_length=MAX_LABEL),
            "type": _choice(raw.get("type"), f"{prefix}type", errors, INDICATOR_TYPES),
            "categorie": _choice(raw.get("categorie"), f"{prefix}categorie", errors, CATEGORIES),
            "declinaison": _choice(raw.get("declinaison"), f"{prefix}declinaison", errors, DECLINAISONS),
            "indications": text_into(raw.get("indications"), f"{prefix}indications", errors, required=False,
                                 max_length=MAX_LONG_TEXT),
            "regles": parse_regles(raw.get("regles"), f"{prefix}regles", errors, raw.get("type"))}


def parse_grid(raw, perimeter: set[str]) -> list[dict]:
    """The grid document (docs/cpom.md): {"axes": [{code, libelle, objectifs: [{…, indicateurs: [{…}]}]}]}.
    Every error is named with its place (`axes[0].objectifs[1].indicateurs[0].type`); codes are unique in
    the CPOM. Nothing is accepted unless everything is right."""
    errors: dict[str, str] = {}
    if not isinstance(raw, dict) or not isinstance(raw.get("axes"), list):
        raise GridError({"axes": "une liste d'axes est attendue"})
    axes, codes = [], {"axe": {}, "objectif": {}, "indicateur": {}}

    def unique(kind: str, code: str, where: str) -> None:
        if code and code in codes[kind]:
            errors[f"{where}.code"] = f"le code {code} est déjà utilisé ({codes[kind][code]})"
        codes[kind].setdefault(code, where)

    for i, raw_axe in enumerate(raw["axes"]):
        where = f"axes[{i}]"
        axe = parse_axe(raw_axe, where, errors)
        if not axe:
            continue
        unique("axe", axe["code"], where)
        axe["objectifs"] = []
        raw_objectifs = raw_axe.get("objectifs", [])
        if not isinstance(raw_objectifs, list):
            errors[f"{where}.objectifs"] = "une liste est attendue"
            raw_objectifs = []
        for j, raw_objectif in enumerate(raw_objectifs):
            here = f"{where}.objectifs[{j}]"
            objectif = parse_objectif(raw_objectif, here, errors, perimeter)
            if not objectif:
                continue
            unique("objectif", objectif["code"], here)
            objectif["indicateurs"] = []
            raw_indicateurs = raw_objectif.get("indicateurs", [])
            if not isinstance(raw_indicateurs, list):
                errors[f"{here}.indicateurs"] = "une liste est attendue"
                raw_indicateurs = []
            for k, raw_indicateur in enumerate(raw_indicateurs):
                spot = f"{here}.indicateurs[{k}]"
                indicateur = parse_indicateur(raw_indicateur, spot, errors)
                if indicateur:
                    unique("indicateur", indicateur["code"], spot)
                    objectif["indicateurs"].append(indicateur)
            axe["objectifs"].append(objectif)
        axes.append(axe)
    if errors:
        raise GridError(errors)
    return axes


def parse_actions(raw) -> tuple[list[str], dict]:
    """The actions of an objective, in order; at most MAX_ACTIONS, each a non-empty text."""
    if not isinstance(raw, list):
        return [], {"actions": "une liste d'actions est attendue"}
    if len(raw) > MAX_ACTIONS:
        return [], {"actions": f"au plus {MAX_ACTIONS} actions ({len(raw)} reçues)"}
    errors, actions = {}, []
    for i, item in enumerate(raw):
        actions.append(text_into(item, f"actions[{i}]", errors, max_length=MAX_LONG_TEXT))
    return actions, errors
