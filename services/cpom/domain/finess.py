"""FINESS numbers (legal entities and establishments) and the départements they name."""

import re

# Départements of metropolitan France as FINESS spells them (Corsica is 2A / 2B, never 20).
METROPOLE = tuple(f"{n:02d}" for n in range(1, 20)) + ("2A", "2B") + tuple(f"{n:02d}" for n in range(21, 96))
# Overseas: FINESS writes 97 + 0 + the overseas digit (9701… Guadeloupe, 9702… Martinique, 9703… Guyane,
# 9704… La Réunion, 9705… Saint-Pierre-et-Miquelon, 9706… Mayotte's old numbers), and 98 for Mayotte.
OUTRE_MER_DIGITS = "12345678"
DEPARTEMENTS = METROPOLE + tuple(f"97{d}" for d in OUTRE_MER_DIGITS)


def finess_problem(value) -> str | None:
    """Why `value` is not a FINESS number (French, for the user), or None if it is one.

    9 characters: the département (01–19, 2A, 2B, 21–95; 970d for overseas département 97d; 98 for
    Mayotte), a sequence number, and a Luhn check digit over the 9 characters, checked when they are all
    digits (the Corsican 2A / 2B numbers are not checked: the Luhn key is defined on digits only)."""
    if not isinstance(value, str) or not value:
        return "le numéro FINESS est obligatoire"
    if len(value) != 9:
        return f"un numéro FINESS a 9 caractères ({len(value)} reçus)"
    if not re.fullmatch(r"[0-9]{9}|2[AB][0-9]{7}", value):
        return "un numéro FINESS ne contient que des chiffres (ou 2A / 2B pour la Corse)"
    if finess_departement(value) is None:
        return f"le département « {value[:2] if value[:2] != '97' else value[:4]} » n'existe pas dans FINESS"
    if value.isascii() and value.isdigit() and not luhn_ok(value):
        return "la clé de contrôle (dernier chiffre, algorithme de Luhn) est fausse"
    return None


def finess_departement(value: str) -> str | None:
    """The département a FINESS number belongs to ("22", "2A", "971", "976"), or None."""
    head = value[:2]
    if head in METROPOLE:
        return head
    if head == "97" and value[2] == "0" and value[3] in OUTRE_MER_DIGITS:
        return f"97{value[3]}"
    if head == "98":
        return "976"  # Mayotte
    return None


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def luhn_key(first_eight: str) -> str:
    """The check digit that completes eight digits into a valid FINESS number."""
    return next(d for d in "0123456789" if luhn_ok(first_eight + d))
