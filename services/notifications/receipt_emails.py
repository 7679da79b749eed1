"""The receipt emails (docs/receipts.md): `reporting.receipt.ready` carries the PDF reporting made of a closing or a
transmission and the EJ's contacts; each of them gets one email with the PDF attached — one delivery per event and
recipient, as every email (handlers.deliver)."""

import base64
from functools import partial

from sqlalchemy import Connection

from ecars_common.consumer import Handler
from ecars_common.db import Database
from ecars_common.events import Envelope
from services.notifications import emails
from services.notifications.config import Config
from services.notifications.handlers import deliver
from services.notifications.mailer import Mailer


def email_the_receipt(session: Connection, envelope: Envelope, mailer: Mailer, config: Config,
                      failures: Database | None = None) -> None:
    data = envelope.data
    context = {**{k: v for k, v in data.items() if k != "pdf"}, "platform_url": config.platform_url}
    attachment = base64.b64decode(data["pdf"])
    for recipient in dict.fromkeys(data["recipients"]):
        message = emails.render("receipt_ready", recipient, config.mail_from, context)
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename=data["filename"])
        deliver(session, envelope, mailer, message, failures)


def event_handlers(config: Config, mailer: Mailer, failures: Database | None = None) -> dict[str, Handler]:
    return {"reporting.receipt.ready": partial(email_the_receipt, mailer=mailer, config=config, failures=failures)}
