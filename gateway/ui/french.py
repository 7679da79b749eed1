"""Values as the pages show them, the French way: numbers with a decimal comma, dates JJ/MM/AAAA, moments
in Paris time (ecars_common/french.py, as the emails and the Word documents show them), sizes in Ko/Mo/Go; and
the dates people type, read back."""

from datetime import datetime

from ecars_common import french, roles, values

ROLE_LABELS = {roles.ETABLISSEMENT: "Établissement", roles.ARS: "ARS", roles.CD: "Conseil départemental",
               roles.SUPPORT: "Équipe support", roles.ADMIN: "Administrateur de la plateforme"}

PLATFORM_AUTHOR = "e-CARS (automatique)"  # who a change made by the platform itself (a job, the demo's seed) is by
NA = "NA"  # the value of a question answered « Non applicable » (the contracts service's word)


def french_number(value) -> str:
    """12345.5 → « 12 345,5 »: the shared rule (ecars_common.values), no float noise, no exponent."""
    return values.french(value)


def shown(value) -> str:
    """A value as stored (JSON: a date AAAA-MM-JJ, a number, a boolean, NA) in French."""
    if value is None or value == "":
        return "—"
    if value is True:
        return "Oui"
    if value is False:
        return "Non"
    if value == NA:
        return "Non applicable"
    if isinstance(value, int | float):
        return french_number(value)
    text = str(value)
    try:
        return french.french_date(text) if len(text) == 10 else text
    except ValueError:
        return text


def french_date(iso: str | None) -> str:
    """AAAA-MM-JJ as JJ/MM/AAAA; nothing for no date."""
    return shown(iso) if iso else ""


def moment(iso: str | None) -> str:
    """An instant of a service (ISO 8601, UTC) as « 02/12/2026 à 09h08 », Paris time; nothing for none."""
    if not iso:
        return ""
    try:
        return french.paris_moment(iso)
    except (TypeError, ValueError):
        return str(iso)


def human_size(size) -> str:
    if not isinstance(size, int):
        return ""
    for unit, factor in (("Go", 1024 ** 3), ("Mo", 1024 ** 2), ("Ko", 1024)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}".replace(".", ",")
    return f"{size} octets"


def typed_date(text: str) -> str | None:
    """AAAA-MM-JJ from a date control (or JJ/MM/AAAA typed where there is none); None if neither."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            pass
    return None
