"""S3 objects without a metadata row. An upload completes its S3 object first, then writes the row (metadata.record):
if the database connection dies in between, the client gets a 503 and the object stays — Object Lock forbids
deleting it — without a row, so no page lists it. This reconciliation finds such objects and lists them for the
support team (who can tell the uploader, from the object's own metadata, that the file must be sent again):

- it lists the bucket (ListObjectsV2) and keeps the objects last modified before the grace period
  (`ECARS_DOCUMENTS_ORPHAN_GRACE_SECONDS`, 1 h): an upload in progress — a multipart object is dated from its
  start, and its row follows its completion within the same request — is never taken for an orphan;
- the keys that no `documents.stored_name` holds are recorded in `documents.orphaned_objects`, with the document id,
  original name, owner and uploader read from the object's user metadata (storage.object_metadata); one that has a
  row by now leaves the list;
- each run's counts go to `documents.object_reconciliations`; the support dashboard shows the count and the list.

Run by `python -m services.documents reconcile-objects [--grace-seconds N] [--dry-run]` and by the worker every
`ECARS_DOCUMENTS_ORPHAN_SCAN_SECONDS` (1 h)."""

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.db import Database
from ecars_common.schedule import PeriodicJob
from services.documents import storage
from services.documents.config import Config
from services.documents.orm import documents, object_reconciliations, orphaned_objects

BATCH = 1000
KNOWN = sa.select(documents.c.stored_name).where(documents.c.stored_name.in_(sa.bindparam("keys", expanding=True)))


@dataclass
class Report:
    checked: int = 0  # objects older than the grace period
    found: list[str] = field(default_factory=list)  # keys newly listed as orphaned
    resolved: list[str] = field(default_factory=list)  # listed before, with a row by now
    orphaned: int = 0  # listed after this run


def reconcile(session: Connection, s3: storage.S3, bucket: str, grace_seconds: float,
              now: datetime | None = None) -> Report:
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=grace_seconds)
    report = Report()
    listed: dict[str, tuple[int, datetime]] = {}
    for key, size, modified in s3.list_objects():
        if modified <= cutoff:
            listed[key] = (size, modified)
    report.checked = len(listed)
    keys = sorted(listed)
    known: set[str] = set()
    for start in range(0, len(keys), BATCH):
        known.update(session.execute(KNOWN, {"keys": keys[start:start + BATCH]}).scalars())
    recorded = set(session.execute(sa.select(orphaned_objects.c.key)).scalars())
    report.resolved = sorted(recorded & known)
    if report.resolved:
        session.execute(orphaned_objects.delete().where(orphaned_objects.c.key.in_(report.resolved)))
    for key in keys:
        if key in known or key in recorded:
            continue
        size, modified = listed[key]
        session.execute(insert(orphaned_objects).values(
            key=key, bucket=bucket, size=size, last_modified=modified, **described(s3.head(key)),
        ).on_conflict_do_nothing())
        report.found.append(key)
    report.orphaned = session.execute(sa.select(sa.func.count()).select_from(orphaned_objects)).scalar_one()
    session.execute(object_reconciliations.insert().values(checked=report.checked, found=len(report.found),
                                                           orphaned=report.orphaned))
    return report


def described(headers: dict) -> dict:
    """What the object's user metadata says of it (storage.object_metadata, percent-encoded)."""
    meta = {name[len("x-amz-meta-"):]: unquote(value) for name, value in headers.items()
            if name.startswith("x-amz-meta-")}
    owner = {name[len("owner-"):].replace("-", "_"): value for name, value in meta.items() if name.startswith("owner-")}
    return {"document_id": meta.get("document-id"), "original_name": meta.get("original-name"),
            "uploaded_by": meta.get("uploaded-by"), "owner": owner}


def listing(session: Connection, limit: int) -> list[dict]:
    rows = session.execute(sa.select(orphaned_objects).order_by(orphaned_objects.c.last_modified.desc())
                           .limit(limit)).mappings()
    return [{"key": row["key"], "bucket": row["bucket"], "size": row["size"],
             "last_modified": row["last_modified"].isoformat(), "document_id": row["document_id"],
             "original_name": row["original_name"], "uploaded_by": row["uploaded_by"], "owner": row["owner"],
             "found_at": row["found_at"].isoformat()} for row in rows]


def counts(session: Connection) -> dict:
    """For the support dashboard's key counts."""
    last = session.execute(sa.select(object_reconciliations.c.ran_at)
                           .order_by(object_reconciliations.c.id.desc()).limit(1)).scalar()
    orphaned = session.execute(sa.select(sa.func.count()).select_from(orphaned_objects)).scalar_one()
    return {"orphaned_objects": orphaned, "objects_reconciled_at": last.isoformat() if last else None}


def job(config: Config) -> PeriodicJob:
    s3 = storage.S3(config)
    return PeriodicJob("documents.reconcile-objects", config.orphan_scan_seconds,
                       lambda session: reconcile(session, s3, config.s3_bucket, config.orphan_grace_seconds).found)


def command(config: Config, argv: list[str]) -> None:
    """`reconcile-objects`: one run, its report as a JSON line; `--dry-run` records nothing."""
    parser = argparse.ArgumentParser(prog="python -m services.documents reconcile-objects")
    parser.add_argument("--grace-seconds", type=float, default=config.orphan_grace_seconds,
                        help="only objects older than this (an upload in progress is not an orphan)")
    parser.add_argument("--dry-run", action="store_true", help="report, record nothing")
    args = parser.parse_args(argv)
    if not 0 <= args.grace_seconds <= 10 * 365 * 86400:
        parser.error("--grace-seconds: between 0 and ten years")
    db = Database(config.database_url, config.schema, pool_size=1)
    try:
        with db.engine.connect() as session, session.begin() as transaction:
            report = reconcile(session, storage.S3(config), config.s3_bucket, args.grace_seconds)
            if args.dry_run:
                transaction.rollback()
    finally:
        db.dispose()
    json.dump({"dry_run": args.dry_run, **asdict(report)}, sys.stdout)
    sys.stdout.write("\n")
