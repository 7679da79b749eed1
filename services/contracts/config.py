from dataclasses import dataclass, field

from ecars_common.config import Settings, env
from services.contracts.deadlines import parse_offsets


@dataclass
class Config(Settings):
    service: str = "contracts"
    # Reminders before a closing date, in days (J-15, J-7, J-2), and how often the calendar job runs.
    reminder_offsets: tuple[int, ...] = field(
        default_factory=lambda: parse_offsets(env("ECARS_REMINDER_OFFSETS", "15,7,2")))
    calendar_interval_seconds: float = field(
        default_factory=lambda: float(env("ECARS_CALENDAR_INTERVAL_SECONDS", "60")))
