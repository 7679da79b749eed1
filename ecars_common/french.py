"""How a date is shown to a person, whatever service shows it: French format, Europe/Paris time (issue 20,
defect 5). Services store and exchange instants in UTC (ISO 8601); they turn into this only when displayed."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_moment(moment: datetime | str) -> str:
    """'2026-12-02T08:08:54.432034+00:00' → '02/12/2026 à 09h08' (heure de Paris). A naive instant is taken as UTC,
    as the services store them."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %Hh%M")


def french_date(day: date | str) -> str:
    """'2026-12-02' → '02/12/2026'."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return day.strftime("%d/%m/%Y")
