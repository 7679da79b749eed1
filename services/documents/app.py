import httpx
from flask import Flask
from prometheus_client import Counter

from ecars_common import habilitations
from ecars_common.app import create_service_app
from ecars_common.db import Database
from services.documents import storage
from services.documents.api import bp
from services.documents.config import Config


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    s3 = storage.S3(config)
    app = create_service_app(config, db, [habilitations.blueprint(), bp], extra_checks={"s3": s3.ping})
    app.extensions["s3"] = s3
    app.extensions["http_client"] = httpx.Client(timeout=httpx.Timeout(10.0, connect=2.0))  # to contracts
    registry = app.extensions["metrics_registry"]
    app.extensions["documents_metrics"] = {
        "uploads": Counter("documents_uploads_total", "Uploads, by owner and outcome (stored or the refusal code)",
                           ["owner_type", "outcome"], registry=registry),
        "uploaded_bytes": Counter("documents_uploaded_bytes_total", "Bytes of the documents stored", ["owner_type"],
                                  registry=registry),
        "downloads": Counter("documents_downloads_total", "Downloads started", ["owner_type"], registry=registry),
    }
    return app
