import sqlalchemy as sa
from flask import Flask

from ecars_common import habilitations, reconcile
from ecars_common.app import create_service_app
from ecars_common.db import Database
from services.contracts import campaign_api, entry_api, export_api, history, messages, openapi
from services.contracts.api import bp
from services.contracts.config import Config


def key_counts(session) -> dict:
    by_status = dict(session.execute(sa.text(
        "SELECT status, count(*) FROM contracts.contracts GROUP BY status")).all())
    return {"contracts_by_status": by_status,
            "campaigns": session.execute(sa.text("SELECT count(*) FROM contracts.campaigns")).scalar_one(),
            **reconcile.last_counts(session, "contracts")}


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    blueprints = [habilitations.blueprint(), bp, campaign_api.bp, export_api.bp, entry_api.bp, messages.bp,
                  history.bp]
    return create_service_app(config, db, blueprints, openapi.DOCUMENT, counts=key_counts)
