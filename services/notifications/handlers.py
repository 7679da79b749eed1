"""What notifications does with each event it consumes: one email template per event type."""

from email.message import EmailMessage
from functools import partial

from sqlalchemy.orm import Session

from ecars_common.consumer import Handler
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


def email_the_person(session: Session, envelope: Envelope, mailer: Mailer, config: Config) -> None:
    """Events about one user (the event carries their email and name)."""
    data = envelope.data
    context = {"civilite": "", **data, "platform_url": config.platform_url, "minutes": 10}
    message = emails.render(PERSONAL_EMAILS[envelope.type], data["email"], config.mail_from, context)
    deliver(session, envelope, mailer, message)


# event type → (template, the data fields holding the recipients' addresses)
CONTRACT_EMAILS = {
    "contracts.evaluation.closed": ("evaluation_closed", ("referent_email", "closed_by_email")),
    "contracts.evaluation.reopened": ("evaluation_reopened", ("establishment_email",)),
}


def email_the_recipients(session: Session, envelope: Envelope, mailer: Mailer, config: Config) -> None:
    """Events that name their recipients (the ARS referent, the establishment)."""
    template, fields = CONTRACT_EMAILS[envelope.type]
    context = {**envelope.data, "platform_url": config.platform_url}
    recipients = dict.fromkeys(envelope.data[f] for f in fields if envelope.data.get(f))
    for recipient in recipients:
        deliver(session, envelope, mailer, emails.render(template, recipient, config.mail_from, context))


def deliver(session: Session, envelope: Envelope, mailer: Mailer, message: EmailMessage) -> None:
    """Send, then log the delivery in the same transaction as the inbox row: a redelivered event is
    skipped by the inbox, so the email goes out once."""
    mailer.send(message)
    session.execute(deliveries.insert().values(
        event_id=envelope.id, event_type=envelope.type, recipient=message["To"],
        subject=message["Subject"], status="sent",
    ))


def event_handlers(config: Config, mailer: Mailer) -> dict[str, Handler]:
    handlers = {event: partial(email_the_person, mailer=mailer, config=config) for event in PERSONAL_EMAILS}
    handlers |= {event: partial(email_the_recipients, mailer=mailer, config=config) for event in CONTRACT_EMAILS}
    return handlers
