"""The value rules both sides of the product share (self-evaluation answers, CPOM indicator values): numbers are
decimals end to end (never a float), with one stated maximum and number of decimals; an indicator's definition
states its own rules on top — a whole number, a minimum and a maximum, a unit, a rate of a part over a whole
(never above 100 %) — and a date of a past event is never in the future. Every refusal is a French sentence.

Why 12 digits and 3 decimals: 15 significant digits at most, so that a value stored as a JSON number (the
self-evaluation's answers) reads back exactly, as the numeric columns of the CPOM keep it."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

MAX_DIGITS = 12
MAX_DECIMALS = 3
MAXIMUM = Decimal(10) ** MAX_DIGITS - 1
NOT_A_NUMBER = "un nombre est attendu (exemple : 12,5)"
NUMBER = re.compile(r"[+-]?(\d+)(?:[.,](\d+))?")


class ValueRefused(ValueError):
    """A value a rule refuses; str() is the French reason, to follow « <label> » : ."""


@dataclass(frozen=True)
class NumberRule:
    """What an indicator's definition states of its numbers."""
    integer: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    unit: str = ""

    @classmethod
    def of(cls, integer=False, minimum=None, maximum=None, unit="") -> "NumberRule":
        """From a definition's JSON (numbers or None)."""
        return cls(bool(integer), None if minimum is None else to_decimal(minimum),
                   None if maximum is None else to_decimal(maximum), unit or "")

    def hint(self) -> str:
        """The rule as the form states it above the field."""
        parts = ["Nombre entier" if self.integer else "Nombre, jusqu'à 3 décimales"]
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"entre {french(self.minimum)} et {french(self.maximum)}")
        elif self.minimum is not None:
            parts.append(f"au moins {french(self.minimum)}")
        elif self.maximum is not None:
            parts.append(f"au plus {french(self.maximum)}")
        else:
            parts.append(f"au plus {french(MAXIMUM)}")
        return " ".join(parts) + (f" (en {self.unit})" if self.unit else "")


def to_decimal(number) -> Decimal:
    """A number of a definition (int, float or Decimal) as the decimal it was written as."""
    return number if isinstance(number, Decimal) else Decimal(repr(number) if isinstance(number, float) else number)


def parse_decimal(raw) -> Decimal:
    """A JSON number or a text the French way (« 12,5 », « 1 000 », « 92,5 % »), exactly; refused beyond the
    stated maximum or number of decimals, and for anything that is not a number."""
    if isinstance(raw, bool):
        raise ValueRefused(NOT_A_NUMBER)
    if isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueRefused(NOT_A_NUMBER)
        text = repr(raw)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise ValueRefused(NOT_A_NUMBER)
        text = format(raw, "f")
    elif isinstance(raw, str):
        text = re.sub(r"[\s\u00a0\u202f]", "", raw).removesuffix("%")
    else:
        raise ValueRefused(NOT_A_NUMBER)
    found = NUMBER.fullmatch(text)
    if found is None:
        raise ValueRefused(NOT_A_NUMBER)
    whole, fraction = found.group(1).lstrip("0"), (found.group(2) or "").rstrip("0")
    if len(whole) > MAX_DIGITS:
        raise ValueRefused(f"le nombre est trop grand : au plus {french(MAXIMUM)}")
    if len(fraction) > MAX_DECIMALS:
        raise ValueRefused(f"au plus {MAX_DECIMALS} décimales")
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover (the pattern above lets only numbers through)
        raise ValueRefused(NOT_A_NUMBER) from None


def check_number(rule: NumberRule, raw) -> Decimal:
    value = parse_decimal(raw)
    unit = f" {rule.unit}" if rule.unit else ""
    if rule.integer and value != value.to_integral_value():
        raise ValueRefused("un nombre entier est attendu (sans décimale)")
    if rule.minimum is not None and value < rule.minimum:
        raise ValueRefused(f"la valeur doit être au moins {french(rule.minimum)}{unit}")
    if rule.maximum is not None and value > rule.maximum:
        raise ValueRefused(f"la valeur doit être au plus {french(rule.maximum)}{unit}")
    return value


def check_part_of_whole(numerator: Decimal, denominator: Decimal) -> None:
    """A rate of a part over a whole (persons re-evaluated among persons accompanied): 0 to 100 %."""
    if numerator < 0 or denominator < 0:
        raise ValueRefused("une partie et un tout ne peuvent pas être négatifs")
    if numerator > denominator:
        raise ValueRefused("le numérateur (une partie) ne peut pas dépasser le dénominateur (le tout) : le taux "
                           "dépasserait 100 %")


def check_not_future(value: date, today: date) -> None:
    """The date of an event that took place (« Date de la dernière évaluation externe »)."""
    if value > today:
        raise ValueRefused(f"la date ne peut pas être postérieure à aujourd'hui ({today.strftime('%d/%m/%Y')})")


def as_json(value: Decimal) -> int | float:
    """A checked decimal as a JSON number that reads back exactly (an int when it is whole)."""
    return int(value) if value == value.to_integral_value() else float(value)


def french(value) -> str:
    """12345.5 → « 12 345,5 » (narrow no-break space between thousands, no float noise, no exponent)."""
    text = format(to_decimal(value), "f")
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
