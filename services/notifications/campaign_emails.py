"""Emails of the campaign calendar: reminders before the closing date and extensions of it, each sent to
every address the event lists (the contract's contacts, resolved by the contracts service)."""

from functools import partial

from sqlalchemy import Connection

from ecars_common.consumer import Handler
from ecars_common.db import Database
from ecars_common.events import Envelope
from services.notifications import emails
from services.notifications.config import Config
from services.notifications.handlers import deliver
from services.notifications.mailer import Mailer

TEMPLATES = {"contracts.reminder.issued": "reminder", "contracts.deadline.extended": "deadline_extended"}


def email_the_contacts(session: Connection, envelope: Envelope, mailer: Mailer, config: Config,
                       failures: Database | None = None) -> None:
    context = {**envelope.data, "platform_url": config.platform_url}
    template = TEMPLATES[envelope.type]
    # a reminder the ARS sends by hand may come before any closing date was set
    subject = "reminder_undated" if template == "reminder" and not envelope.data.get("closes_on_label") else None
    for recipient in dict.fromkeys(envelope.data["recipients"]):
        message = emails.render(template, recipient, config.mail_from, context, subject)
        deliver(session, envelope, mailer, message, failures)


def event_handlers(config: Config, mailer: Mailer, failures: Database | None = None) -> dict[str, Handler]:
    return {event: partial(email_the_contacts, mailer=mailer, config=config, failures=failures)
            for event in TEMPLATES}
