"""The one place that wires the notifications service's adapters to its handlers."""

from ecars_common.consumer import Handler
from ecars_common.db import Database
from services.notifications import campaign_emails, handlers, receipt_emails
from services.notifications.config import Config
from services.notifications.mailer import Mailer, SmtpMailer


def event_handlers(config: Config, mailer: Mailer | None = None) -> dict[str, Handler]:
    mailer = mailer or SmtpMailer(config.smtp_host, config.smtp_port, config.smtp_timeout)
    failures = Database(config.database_url, config.schema, pool_size=2)
    return (handlers.event_handlers(config, mailer, failures) | campaign_emails.event_handlers(config, mailer, failures)
            | receipt_emails.event_handlers(config, mailer, failures))
