"""Indicator values: numbers, rates (numerator/denominator) and their French display."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

from ecars_common.payload import text_into
from services.cpom.domain.objectives import MAX_LONG_TEXT

ZERO_DENOMINATOR = "Le dénominateur ne peut pas être égal à 0 : le taux ne peut pas être calculé."
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
MAX_MAGNITUDE = Decimal("1e12")


def parse_number(raw) -> Decimal | None:
    """A JSON number, or a string with a decimal point or comma ("12,5"); None if it is not one."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, float):
        value = Decimal(repr(raw))
    elif isinstance(raw, str) and re.fullmatch(r"\s*-?\d{1,13}([.,]\d{1,6})?\s*", raw):
        value = Decimal(raw.strip().replace(",", "."))
    else:
        return None
    try:
        if not value.is_finite() or abs(value) >= MAX_MAGNITUDE:
            return None
    except InvalidOperation:
        return None
    return value


def rate(numerateur: Decimal, denominateur: Decimal) -> Decimal:
    """numérateur / dénominateur as a percentage with 2 decimals, rounded half-up (away from zero on a
    tie: 1/8 → 12.50, 1/3 → 33.33, 2/3 → 66.67, -1/8000 → -0.01), computed in 34-digit decimal arithmetic."""
    with localcontext() as context:
        context.prec = 34
        return (numerateur * HUNDRED / denominateur).quantize(CENT, rounding=ROUND_HALF_UP)


def french_number(value: Decimal) -> str:
    """12345.50 → "12 345,5" (narrow no-break space between thousands, no float noise)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + "\u202f".join(groups) + ("," + fraction if fraction else "")


def rate_label(value: Decimal) -> str:
    return f"{format(value, 'f').replace('.', ',')} %"


def parse_value(kind: str, raw: dict, where: str, errors: dict) -> dict:
    """One value of an indicator of type `kind`, as the columns it is stored in. quantitatif: {"valeur":
    number}; taux: {"numerateur", "denominateur"} (denominator 0 refused); qualitatif: {"valeur": text};
    oui_non: {"valeur": true|false}."""
    if kind == "taux":
        numerator, denominator = parse_number(raw.get("numerateur")), parse_number(raw.get("denominateur"))
        if numerator is None:
            errors[f"{where}.numerateur"] = "un nombre est attendu"
        if denominator is None:
            errors[f"{where}.denominateur"] = "un nombre est attendu"
        elif denominator == 0:
            errors[f"{where}.denominateur"] = ZERO_DENOMINATOR
        if numerator is None or denominator is None or denominator == 0:
            return {}
        return {"numerateur": numerator, "denominateur": denominator, "taux": rate(numerator, denominator)}
    value = raw.get("valeur")
    if kind == "quantitatif":
        number = parse_number(value)
        if number is None:
            errors[f"{where}.valeur"] = "un nombre est attendu"
            return {}
        return {"valeur_nombre": number}
    if kind == "qualitatif":
        text = text_into(value, f"{where}.valeur", errors, max_length=MAX_LONG_TEXT)
        return {"valeur_texte": text} if text else {}
    if not isinstance(value, bool):
        errors[f"{where}.valeur"] = "true (oui) ou false (non) attendu"
        return {}
    return {"valeur_booleen": value}
