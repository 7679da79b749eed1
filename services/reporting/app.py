from flask import Flask

from ecars_common.app import create_service_app
from ecars_common.db import Database
from services.reporting import openapi
from services.reporting.api import bp
from services.reporting.config import Config


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    app = create_service_app(config, db, [bp], openapi.DOCUMENT)
    return app
