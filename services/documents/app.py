import sqlalchemy as sa
from flask import Flask
from prometheus_client import Counter

from ecars_common import habilitations, reconcile
from ecars_common.app import create_service_app
from ecars_common.db import Database
from services.documents import openapi, orphans, storage
from services.documents.api import bp
from services.documents.config import Config


def key_counts(session) -> dict:
    row = session.execute(sa.text("SELECT count(*) AS documents, coalesce(sum(size), 0) AS bytes "
                                  "FROM documents.documents")).one()
    by_owner = dict(session.execute(sa.text(
        "SELECT owner_type, count(*) FROM documents.documents GROUP BY owner_type")).all())
    return {"documents_stored": row.documents, "bytes_stored": int(row.bytes), "documents_by_owner": by_owner,
            **reconcile.last_counts(session, "documents"), **orphans.counts(session)}


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    db = Database(config.database_url, config.schema)
    s3 = storage.S3(config)
    app = create_service_app(config, db, [habilitations.blueprint(), bp], openapi.DOCUMENT,
                             extra_checks={"s3": s3.ping},
                             counts=key_counts)
    app.extensions["s3"] = s3
    registry = app.extensions["metrics_registry"]
    app.extensions["documents_metrics"] = {
        "uploads": Counter("documents_uploads_total", "Uploads, by owner and outcome (stored or the refusal code)",
                           ["owner_type", "outcome"], registry=registry),
        "uploaded_bytes": Counter("documents_uploaded_bytes_total", "Bytes of the documents stored", ["owner_type"],
                                  registry=registry),
        "downloads": Counter("documents_downloads_total", "Downloads started", ["owner_type"], registry=registry),
    }
    return app
