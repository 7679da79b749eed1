"""The CPOM's planning: its dates and the order they must keep."""

import re
from datetime import date

from ecars_common.numbers import whole_number

PLANNING = (
    ("date_effet", "Date d'effet"),
    ("date_echeance", "Date d'échéance"),
    ("annee_dialogue_gestion", "Année prévisionnelle de dialogue de gestion"),
    ("phase_diagnostic_planifiee", "Phase de diagnostic planifiée"),
    ("phase_negociation_planifiee", "Phase de négociation planifiée"),
    ("date_signature_cible", "Date de signature cible"),
    ("date_echeance_initiale", "Date d'échéance initiale"),
    ("fin_diagnostic", "Fin de diagnostic"),
    ("fin_negociation", "Fin de négociation"),
)
PLANNING_LABELS = dict(PLANNING)
PLANNING_DATES = tuple(name for name, _ in PLANNING if name != "annee_dialogue_gestion")
FIRST_YEAR, LAST_YEAR = 1990, 2100

# (later field, earlier field, strict): the later one must come after the earlier one when both are set.
PLANNING_ORDER = (
    ("date_echeance", "date_effet", True),
    ("phase_negociation_planifiee", "phase_diagnostic_planifiee", False),
    ("date_signature_cible", "phase_negociation_planifiee", False),
    ("fin_diagnostic", "phase_diagnostic_planifiee", False),
    ("fin_negociation", "phase_negociation_planifiee", False),
    ("fin_negociation", "fin_diagnostic", False),
)


def parse_planning_value(name: str, raw) -> tuple[object, str | None]:
    """(value, problem) for one planning field sent by a client: an ISO date AAAA-MM-JJ or null;
    the year an integer or null (0, as the guide shows an unset year, means null)."""
    if raw is None or raw == "":
        return None, None
    if name == "annee_dialogue_gestion":
        if isinstance(raw, str) and (year := whole_number(raw, 0, 9999)) is not None:
            raw = year
        if isinstance(raw, bool) or not isinstance(raw, int):
            return None, "une année (nombre entier) est attendue"
        if raw == 0:
            return None, None
        if not FIRST_YEAR <= raw <= LAST_YEAR:
            return None, f"l'année doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}"
        return raw, None
    if not isinstance(raw, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
        return None, "une date au format AAAA-MM-JJ est attendue"
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        return None, "cette date n'existe pas"
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        return None, f"l'année doit être comprise entre {FIRST_YEAR} et {LAST_YEAR}"
    return value, None


def planning_problems(planning: dict) -> dict[str, str]:
    """Consistency of a whole planning ({field: date | int | None}); each problem names its field."""
    problems: dict[str, str] = {}
    for later, earlier, strict in PLANNING_ORDER:
        a, b = planning.get(later), planning.get(earlier)
        if a is None or b is None or later in problems:
            continue
        if a < b or (strict and a == b):
            relation = "postérieure à" if strict else "postérieure ou égale à"
            problems[later] = f"doit être {relation} « {PLANNING_LABELS[earlier]} » ({b.strftime('%d/%m/%Y')})"
    year, start, end = planning.get("annee_dialogue_gestion"), planning.get("date_effet"), planning.get("date_echeance")
    if year is not None and start is not None and end is not None and not start.year <= year <= end.year:
        problems["annee_dialogue_gestion"] = (f"doit être comprise dans la durée du CPOM ({start.year} à {end.year})")
    return problems
