"""Reconciliation of a service's projections of auth's habilitations with auth itself:
`python -m services.<contracts|cpom|documents> reconcile-habilitations`.

Events keep a projection right (ecars_common.projection); this repairs what drifted anyway (a message lost with a
queue, rows restored from an older backup, an event dead-lettered and never replayed). It reads the projection
first, then auth's snapshot (`GET /habilitations/snapshot`, with the service key): a habilitation the projection
holds live and the snapshot lacks was therefore revoked (it was in auth when it reached the projection) and
becomes a tombstone; one the snapshot holds and the projection lacks, holds older, or holds differently is stored
at the snapshot's version — by the projection's rule, so an event handled meanwhile with a newer version wins.
It prints what it changed and records the counts, shown on the service's support dashboard."""

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import httpx
import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.config import Settings
from ecars_common.db import Database

SERVICE_KEY_HEADER = "X-Ecars-Service-Key"

# store(session, data, version, removed, force) -> bool: the projection's own upkeep (habilitations.store…)
Store = Callable[..., bool]


@dataclass(frozen=True)
class Projection:
    name: str  # as reported: "habilitations", "contacts"
    table: sa.Table  # keyed by habilitation_id, with projection.columns()
    fields: tuple[str, ...]  # compared with the snapshot's
    store: Store


@dataclass
class Report:
    projection: str
    checked: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def repaired(self) -> int:
        return len(self.added) + len(self.changed) + len(self.removed)


def table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("reconciliations", metadata, *_columns())


def _columns() -> list:
    return [sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
            sa.Column("projection", sa.Text, nullable=False),
            sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
            sa.Column("checked", sa.Integer, nullable=False),
            sa.Column("added", sa.Integer, nullable=False),
            sa.Column("changed", sa.Integer, nullable=False),
            sa.Column("removed", sa.Integer, nullable=False)]


def create_table(op, schema: str) -> None:
    """For the service's Alembic migration."""
    op.create_table("reconciliations", *_columns(), schema=schema)


def fetch_snapshot(settings: Settings) -> list[dict]:
    answer = httpx.get(f"{settings.service_url('auth')}/habilitations/snapshot",
                       headers={SERVICE_KEY_HEADER: settings.service_key}, timeout=60)
    answer.raise_for_status()
    return answer.json()["items"]


def reconcile(session: Connection, projection: Projection, snapshot: Callable[[], list[dict]]) -> Report:
    held = {row["habilitation_id"]: row for row in session.execute(sa.select(projection.table)).mappings()}
    report = Report(projection.name)
    seen = set()
    for item in snapshot():  # read after the projection: see the module's docstring
        report.checked += 1
        seen.add(item["habilitation_id"])
        row = held.get(item["habilitation_id"])
        drifted = row is None or row["removed"] or row["version"] < item["version"] or any(
            row[name] != item[name] for name in projection.fields)
        if drifted and projection.store(session, item, item["version"], removed=False, force=True):
            (report.added if row is None else report.changed).append(item["habilitation_id"])
    for habilitation_id, row in held.items():
        gone = habilitation_id not in seen and not row["removed"]
        if gone and projection.store(session, dict(row), row["version"], removed=True, force=True):
            report.removed.append(habilitation_id)
    session.execute(table(sa.MetaData(schema=projection.table.schema)).insert().values(
        projection=projection.name, checked=report.checked, added=len(report.added), changed=len(report.changed),
        removed=len(report.removed)))
    return report


def last_counts(session: Connection, schema: str) -> dict:
    """For the support dashboard: when each projection was last reconciled and how many rows it repaired."""
    rows = session.execute(sa.text(
        f'SELECT DISTINCT ON (projection) projection, ran_at, added + changed + removed AS repaired '
        f'FROM "{schema}".reconciliations ORDER BY projection, ran_at DESC, id DESC')).all()
    counts = {}
    for row in rows:
        counts[f"{row.projection}_reconciled_at"] = row.ran_at.isoformat()
        counts[f"{row.projection}_repaired_last_reconciliation"] = row.repaired
    return counts


def command(projections: Callable[[Settings], list[Projection]]) -> Callable[[Settings, list[str]], None]:
    """The CLI role: reconcile each projection in its own transaction, print a JSON report line per projection.
    `--dry-run`: report what it would change, change nothing (the transaction is rolled back, the run not recorded)."""
    def run(settings: Settings, argv: list[str]) -> None:
        parser = argparse.ArgumentParser(prog=f"python -m services.{settings.service} reconcile-habilitations")
        parser.add_argument("--dry-run", action="store_true", help="report the drift, repair nothing")
        dry_run = parser.parse_args(argv).dry_run
        db = Database(settings.database_url, settings.schema, pool_size=1)
        try:
            for projection in projections(settings):
                with db.engine.connect() as session, session.begin() as transaction:
                    report = reconcile(session, projection, lambda: fetch_snapshot(settings))
                    if dry_run:
                        transaction.rollback()
                print(json.dumps({**asdict(report), "repaired": report.repaired, "dry_run": dry_run},
                                 ensure_ascii=False))
                sys.stdout.flush()
        finally:
            db.dispose()
    return run
