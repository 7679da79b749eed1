import socket

import sqlalchemy as sa
from flask import Flask

from ecars_common.app import create_service_app
from ecars_common.db import Database
from services.notifications import openapi
from services.notifications.config import Config


def key_counts(session) -> dict:
    by_status = dict(session.execute(sa.text(
        "SELECT status, count(*) FROM notifications.deliveries GROUP BY status")).all())
    return {"emails_by_status": by_status}


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)

    def smtp_answers() -> None:
        socket.create_connection((config.smtp_host, config.smtp_port), timeout=2).close()

    return create_service_app(config, db, [], openapi.DOCUMENT, extra_checks={"smtp": smtp_answers}, counts=key_counts)
