"""The reference lists a CPOM's forms check against: regions, phone numbers, emails."""

import re
import unicodedata

REGIONS = ("Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne", "Centre-Val de Loire", "Corse", "Grand Est",
           "Guadeloupe", "Guyane", "Hauts-de-France", "Île-de-France", "La Réunion", "Martinique", "Mayotte",
           "Normandie", "Nouvelle-Aquitaine", "Occitanie", "Pays de la Loire", "Provence-Alpes-Côte d'Azur")


def simplify(text: str) -> str:
    """Lower case, no accents, one space: for matching names typed by people."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower().replace("\u2019", "'")
    return " ".join(re.sub(r"[\s_-]+", " ", text).split())


_REGION_KEYS = {simplify(name): name for name in REGIONS}


def canonical_region(text: str) -> str | None:
    """The official region name for `text` (case and accents ignored), or None."""
    return _REGION_KEYS.get(simplify(text))


PHONE = re.compile(r"^(0[1-9]\d{8}|\+\d{8,15})$")


def normalise_phone(text: str) -> str | None:
    """"02 96 27 20 27" → "0296272027"; None if it is not a phone number."""
    compact = re.sub(r"[\s.\-()]", "", text)
    return compact if PHONE.match(compact) else None


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def is_email(text: str) -> bool:
    return len(text) <= 254 and bool(EMAIL.match(text))
