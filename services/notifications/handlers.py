"""What notifications does with each event it consumes: one email template per event type."""

import smtplib
from email.message import EmailMessage
from functools import partial

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.consumer import Handler
from ecars_common.db import Database
from ecars_common.events import Envelope
from services.notifications import emails
from services.notifications.config import Config
from services.notifications.mailer import Mailer
from services.notifications.orm import deliveries

# event type → template (templates/<name>.txt and .html, subject in emails.SUBJECTS)
PERSONAL_EMAILS = {
    "auth.verification_code.requested": "verification_code",
    "auth.access.granted": "access_granted",
    "auth.account.locked": "account_locked",
    "auth.password.changed": "password_changed",
}


def email_the_person(session: Connection, envelope: Envelope, mailer: Mailer, config: Config,
                     failures: Database | None = None) -> None:
    """Events about one user (the event carries their email and name)."""
    data = envelope.data
    context = {"civilite": "", **data, "platform_url": config.platform_url, "minutes": 10}
    message = emails.render(PERSONAL_EMAILS[envelope.type], data["email"], config.mail_from, context)
    deliver(session, envelope, mailer, message, failures)


# event type → (template, the data fields holding the recipients' addresses)
CONTRACT_EMAILS = {
    "contracts.evaluation.closed": ("evaluation_closed", ("referent_email", "closed_by_email")),
    "contracts.evaluation.reopened": ("evaluation_reopened", ("establishment_email",)),
    "cpom.information.transmitted": ("cpom_transmitted", ()),  # the ARS and CD team: data.authorities
    "contracts.message.posted": ("message_posted", ()),  # the other side: data.recipients
    "cpom.message.posted": ("message_posted", ()),
}


def email_the_recipients(session: Connection, envelope: Envelope, mailer: Mailer, config: Config,
                         failures: Database | None = None) -> None:
    """Events that name their recipients (the ARS referent, the establishment)."""
    template, fields = CONTRACT_EMAILS[envelope.type]
    context = {**envelope.data, "platform_url": config.platform_url}
    recipients = dict.fromkeys(envelope.data[f] for f in fields if envelope.data.get(f))
    recipients |= dict.fromkeys(a["email"] for a in envelope.data.get("authorities", []))
    recipients |= dict.fromkeys(envelope.data.get("recipients", []))
    for recipient in recipients:
        deliver(session, envelope, mailer, emails.render(template, recipient, config.mail_from, context), failures)


def deliver(session: Connection, envelope: Envelope, mailer: Mailer, message: EmailMessage,
            failures: Database | None = None) -> None:
    """Send, then log the delivery in the same transaction as the inbox row: a redelivered event is
    skipped by the inbox, so the email goes out once. A failed send is logged in a transaction of its
    own (the handler's is rolled back) and raised, so the consumer retries it with backoff."""
    values = {"event_id": envelope.id, "event_type": envelope.type, "recipient": message["To"],
              "subject": message["Subject"]}
    try:
        mailer.send(message)
    except (OSError, smtplib.SMTPException) as exc:
        if failures is not None:
            with failures.session() as log:
                log.execute(upsert(values, "failed", f"{type(exc).__name__}: {exc}"[:500]))
        raise
    session.execute(upsert(values, "sent", None))


def upsert(values: dict, status: str, error: str | None):
    return insert(deliveries).values(**values, status=status, attempts=1, last_error=error).on_conflict_do_update(
        index_elements=["event_id", "recipient"],
        set_={"status": status, "attempts": deliveries.c.attempts + 1, "sent_at": sa.func.now(),
              "last_error": error if error else deliveries.c.last_error})


def event_handlers(config: Config, mailer: Mailer, failures: Database | None = None) -> dict[str, Handler]:
    wiring = {"mailer": mailer, "config": config, "failures": failures}
    handlers = {event: partial(email_the_person, **wiring) for event in PERSONAL_EMAILS}
    handlers |= {event: partial(email_the_recipients, **wiring) for event in CONTRACT_EMAILS}
    return handlers
