"""Indicator values: numbers (decimals, ecars_common.values), rates (numerator/denominator), their French display."""

from decimal import ROUND_HALF_UP, Decimal, localcontext

from ecars_common import values
from ecars_common.payload import text_into
from services.cpom.domain.objectives import MAX_LONG_TEXT
from services.cpom.domain.value_rules import number_rule

ZERO_DENOMINATOR = "Le dénominateur ne peut pas être égal à 0 : le taux ne peut pas être calculé."
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def rate(numerateur: Decimal, denominateur: Decimal) -> Decimal:
    """numérateur / dénominateur as a percentage with 2 decimals, rounded half-up (away from zero on a
    tie: 1/8 → 12.50, 1/3 → 33.33, 2/3 → 66.67, -1/8000 → -0.01), computed in 34-digit decimal arithmetic."""
    with localcontext() as context:
        context.prec = 34
        return (numerateur * HUNDRED / denominateur).quantize(CENT, rounding=ROUND_HALF_UP)


def french_number(value: Decimal) -> str:
    """12345.50 → "12 345,5" (narrow no-break space between thousands, no float noise)."""
    return values.french(value)


def rate_label(value: Decimal) -> str:
    return f"{format(value, 'f').replace('.', ',')} %"


def parse_value(kind: str, raw: dict, where: str, errors: dict, regles: dict | None = None) -> dict:
    """One value of an indicator of type `kind`, as the columns it is stored in, checked with the rules of its
    definition (`regles`, see parse_regles) and the shared maximum (ecars_common.values). quantitatif: {"valeur":
    number}; taux: {"numerateur", "denominateur"} (denominator 0 refused); qualitatif: {"valeur": text};
    oui_non: {"valeur": true|false}."""
    if kind == "taux":
        parsed = {}
        for name in ("numerateur", "denominateur"):
            try:
                parsed[name] = values.parse_decimal(raw.get(name))
            except values.ValueRefused as exc:
                errors[f"{where}.{name}"] = str(exc)
        numerator, denominator = parsed.get("numerateur"), parsed.get("denominateur")
        if denominator == 0:
            errors[f"{where}.denominateur"] = ZERO_DENOMINATOR
        if numerator is None or denominator is None or denominator == 0:
            return {}
        if (regles or {}).get("partie_d_un_tout"):
            try:
                values.check_part_of_whole(numerator, denominator)
            except values.ValueRefused as exc:
                errors[f"{where}.numerateur"] = str(exc)
                return {}
        return {"numerateur": numerator, "denominateur": denominator, "taux": rate(numerator, denominator)}
    value = raw.get("valeur")
    if kind == "quantitatif":
        try:
            return {"valeur_nombre": values.check_number(number_rule(regles), value)}
        except values.ValueRefused as exc:
            errors[f"{where}.valeur"] = str(exc)
            return {}
    if kind == "qualitatif":
        text = text_into(value, f"{where}.valeur", errors, max_length=MAX_LONG_TEXT)
        return {"valeur_texte": text} if text else {}
    if not isinstance(value, bool):
        errors[f"{where}.valeur"] = "true (oui) ou false (non) attendu"
        return {}
    return {"valeur_booleen": value}
