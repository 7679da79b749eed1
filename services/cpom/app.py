from flask import Flask

from ecars_common import habilitations
from ecars_common.app import create_service_app
from ecars_common.db import Database
from services.cpom.api import bp
from services.cpom.config import Config


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    return create_service_app(config, db, [habilitations.blueprint(), bp])
