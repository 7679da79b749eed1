"""An indicator's value rules as its definition states them (`regles`), checked at each save with the rules
the self-evaluation shares (ecars_common.values): a whole number, bounds and a unit for a quantitatif, a part over
a whole (never above 100 %) for a taux."""

from ecars_common import values
from ecars_common.payload import text_into

RULES_BY_TYPE = {"quantitatif": ("entier", "minimum", "maximum", "unite"), "taux": ("partie_d_un_tout",)}


def parse_regles(raw, where: str, errors: dict, kind) -> dict:
    """The value rules an indicator's definition states (ecars_common.values checks them at each save):
    quantitatif {"entier": bool, "minimum": n, "maximum": n, "unite": text}; taux {"partie_d_un_tout": bool}
    (a part over a whole: never above 100 %). Absent: the shared maximum only."""
    if raw is None or raw == {}:
        return {}
    allowed = RULES_BY_TYPE.get(kind, ())
    if not isinstance(raw, dict):
        errors[where] = "un objet est attendu"
        return {}
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        errors[where] = (f"règles possibles pour ce type : {', '.join(allowed)}" if allowed
                         else "pas de règle de valeur pour ce type d'indicateur")
        return {}
    rules = {}
    for name in ("entier", "partie_d_un_tout"):
        if name in raw:
            if not isinstance(raw[name], bool):
                errors[f"{where}.{name}"] = "true ou false"
            rules[name] = raw[name] is True
    for name in ("minimum", "maximum"):
        if raw.get(name) is not None:
            try:
                rules[name] = values.as_json(values.parse_decimal(raw[name]))
            except values.ValueRefused as exc:
                errors[f"{where}.{name}"] = str(exc)
    if "minimum" in rules and "maximum" in rules and rules["minimum"] > rules["maximum"]:
        errors[f"{where}.minimum"] = "le minimum dépasse le maximum"
    if "unite" in raw:
        rules["unite"] = text_into(raw["unite"], f"{where}.unite", errors, required=False, max_length=30)
    return rules


def number_rule(regles: dict) -> values.NumberRule:
    regles = regles or {}
    return values.NumberRule.of(regles.get("entier", False), regles.get("minimum"), regles.get("maximum"),
                                regles.get("unite", ""))


def rule_text(kind: str, regles: dict) -> str:
    """The rules as the indicator's page states them above its fields."""
    if kind == "quantitatif":
        return number_rule(regles).hint() + "."
    if kind == "taux":
        whole = " ; le numérateur (une partie) ne dépasse pas le dénominateur (le tout) : au plus 100 %"
        return ("Numérateur et dénominateur : " + number_rule({}).hint().lower()
                + (whole if (regles or {}).get("partie_d_un_tout") else "") + ".")
    return ""
