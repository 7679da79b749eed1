import sqlalchemy as sa
from flask import Flask

from ecars_common import habilitations, reconcile
from ecars_common.app import create_service_app
from ecars_common.db import Database
from services.cpom import openapi
from services.cpom.api import BLUEPRINTS
from services.cpom.config import Config


def key_counts(session) -> dict:
    by_status = dict(session.execute(sa.text("SELECT statut, count(*) FROM cpom.cpoms GROUP BY statut")).all())
    return {"cpoms_by_status": by_status,
            "transmissions": session.execute(sa.text("SELECT count(*) FROM cpom.transmissions")).scalar_one(),
            "ej": session.execute(sa.text("SELECT count(*) FROM cpom.ej")).scalar_one(),
            **reconcile.last_counts(session, "cpom")}


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    return create_service_app(config, db, [habilitations.blueprint(), *BLUEPRINTS], openapi.DOCUMENT, counts=key_counts)
