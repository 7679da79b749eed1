"""What notifications does with each event it consumes."""

from email.message import EmailMessage

from sqlalchemy.orm import Session

from ecars_common.events import Envelope
from services.notifications import emails
from services.notifications.config import Config
from services.notifications.mailer import Mailer
from services.notifications.orm import deliveries


def send_verification_code(session: Session, envelope: Envelope, mailer: Mailer, config: Config) -> None:
    data = envelope.data
    message = emails.render(
        "verification_code", data["email"], config.mail_from,
        {"civilite": data.get("civilite", ""), "prenom": data["prenom"], "nom": data["nom"],
         "code": data["code"], "minutes": 10, "platform_url": config.platform_url},
    )
    deliver(session, envelope, mailer, message)


def deliver(session: Session, envelope: Envelope, mailer: Mailer, message: EmailMessage) -> None:
    """Send, then log the delivery in the same transaction as the inbox row: a redelivered event is
    skipped by the inbox, so the email goes out once."""
    mailer.send(message)
    session.execute(deliveries.insert().values(
        event_id=envelope.id, event_type=envelope.type, recipient=message["To"],
        subject=message["Subject"], status="sent",
    ))
