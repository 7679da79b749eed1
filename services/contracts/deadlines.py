"""The calendar's rules, free of Flask, SQLAlchemy and I/O (docs/campaigns.md).

Dates are calendar days in Europe/Paris. A closing date D is the last day of entry: the contract locks
once D has passed in Paris (at midnight, by the worker's job). A contract's own date (an extension granted
by the ARS) takes the place of its campaign's. Reminders go at configured offsets before D (J-15, J-7, J-2
by default): on a day d days before D, the one due is the smallest offset ≥ d, so a contract created (or a
worker restarted) late gets the reminder of the window it is in, not every earlier one."""

from datetime import date, datetime

from ecars_common.french import PARIS, french_date


def today_in_paris(now: datetime | None = None) -> date:
    return (now or datetime.now(PARIS)).astimezone(PARIS).date()


def effective_closing(contract_closes_on: date | None, campaign_closes_on: date | None) -> date | None:
    return contract_closes_on or campaign_closes_on


def is_past(closes_on: date | None, today: date) -> bool:
    return closes_on is not None and closes_on < today


def countdown(closes_on: date | None, today: date, open_for_entry: bool) -> str | None:
    """« Clôture dans N jours » while entry is open, « Clôturée le … » once the date has passed."""
    if closes_on is None:
        return None
    if closes_on < today:
        return f"Clôturée le {french_date(closes_on)}"
    if not open_for_entry:
        return f"Clôture de la campagne le {french_date(closes_on)}"
    days = (closes_on - today).days
    if days == 0:
        return "Clôture aujourd'hui"
    return f"Clôture dans {days} jour{'s' if days > 1 else ''}"


def due_offset(closes_on: date, today: date, offsets: tuple[int, ...]) -> int | None:
    """The reminder offset whose window `today` is in (smallest offset ≥ days left), or None."""
    days_left = (closes_on - today).days
    if days_left < 0:
        return None
    windows = [k for k in offsets if k >= days_left]
    return min(windows) if windows else None


def parse_offsets(text: str) -> tuple[int, ...]:
    """"15,7,2" → (15, 7, 2); raises ValueError on anything but distinct non-negative integers."""
    offsets = tuple(int(part) for part in text.replace(" ", "").split(",") if part)
    if not offsets or any(k < 0 for k in offsets) or len(set(offsets)) != len(offsets):
        raise ValueError(f"ECARS_REMINDER_OFFSETS: distinct non-negative day counts expected, got {text!r}")
    return tuple(sorted(offsets, reverse=True))


def calendar_of(opens_on: date | None, campaign_closes_on: date | None, contract_closes_on: date | None,
                open_for_entry: bool, today: date) -> dict:
    """The calendar as the API shows it on every page of a contract."""
    closes_on = effective_closing(contract_closes_on, campaign_closes_on)
    return {"opens_on": opens_on.isoformat() if opens_on else None,
            "closes_on": closes_on.isoformat() if closes_on else None,
            "campaign_closes_on": campaign_closes_on.isoformat() if campaign_closes_on else None,
            "extended": contract_closes_on is not None,
            "days_left": (closes_on - today).days if closes_on else None,
            "passed": is_past(closes_on, today),
            "label": countdown(closes_on, today, open_for_entry)}


OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "976"}


def departement_of(finess: str) -> str:
    """The département of an EJ from its FINESS number: its first two characters (2A, 2B for Corsica); FINESS
    writes the overseas départements 9A…9F (971…976)."""
    return OVERSEAS.get(finess[:2], finess[:2])
