"""Local projection of auth's habilitations, kept by every service that authorises access to an EJ,
a contract or a CPOM (contracts, cpom, documents), from the `auth.habilitation.*` events, by the rule of
`ecars_common.projection` (the version auth numbers each habilitation's changes with; a revoked one stays as a
tombstone, so a grant handled late cannot bring it back). Every read filters the tombstones out (`live`).

Authorisation is cross-cutting infrastructure, like token checks: the table, its upkeep and the
lookup live here once; what a habilitation allows stays in each service."""

from functools import cache

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import UUID

from ecars_common import projection, reconcile
from ecars_common.events import Envelope
from ecars_common.tokens import authenticated, current_identity


def first_columns() -> list:
    """The columns of the first migration (0002 of each service); `projection.columns()` came with a later one."""
    return [
        sa.Column("habilitation_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=False), nullable=False),
        sa.Column("scope_type", sa.Text, nullable=False),
        sa.Column("scope_id", sa.Text, nullable=False),
        sa.Column("administrateur", sa.Boolean, nullable=False),
        sa.Column("visibilite_documents_confidentiels", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


@cache
def table_of(schema: str) -> sa.Table:
    """The projection table of a schema, built once: a new Table per lookup made SQLAlchemy compile every
    query again and fill its cache with dead objects (long GC pauses, see bench/README.md)."""
    return define_table(sa.MetaData(schema=schema))


def define_table(metadata: sa.MetaData) -> sa.Table:
    table = sa.Table("habilitations", metadata, *first_columns(), *projection.columns())
    sa.Index("habilitations_lookup", table.c.user_id, table.c.scope_type, table.c.scope_id)
    return table


def create_table(op, schema: str) -> None:
    """For a service's first Alembic migration of the projection."""
    op.create_table("habilitations", *first_columns(), schema=schema)
    op.create_index("habilitations_lookup", "habilitations", ["user_id", "scope_type", "scope_id"], schema=schema)


FIELDS = ("user_id", "scope_type", "scope_id", "administrateur", "visibilite_documents_confidentiels")


def store(session: Connection, schema: str, data: dict, version: int, removed: bool = False,
          force: bool = False) -> bool:
    """One habilitation as auth states it (an event's data, or its snapshot for a reconciliation), kept if newer."""
    return projection.apply(session, table_of(schema), {"habilitation_id": data["habilitation_id"]},
                            {**{name: data[name] for name in FIELDS}, "updated_at": sa.func.now()}, version, removed,
                            force)


def reconciled(schema: str) -> reconcile.Projection:
    """The projection as `reconcile-habilitations` repairs it (ecars_common/reconcile.py)."""
    def keep(session: Connection, data: dict, version: int, removed: bool, force: bool) -> bool:
        return store(session, schema, data, version, removed, force)
    return reconcile.Projection("habilitations", table_of(schema), FIELDS, keep)


def commands(*others: reconcile.Projection) -> dict:
    """The CLI roles of a service keeping the projection: `reconcile-habilitations` repairs it and `others` (kept
    from the same events) from auth's snapshot."""
    return {"reconcile-habilitations": reconcile.command(lambda settings: [reconciled(settings.schema), *others])}


def make_ordering_proof(op, schema: str) -> None:
    """For the service's Alembic migration that adds the version and the tombstone (docs/events.md)."""
    projection.add_columns(op, "habilitations", schema)


def event_handlers(schema: str) -> dict:
    def upsert(session: Connection, envelope: Envelope) -> None:
        store(session, schema, envelope.data, projection.version_of(envelope))

    def remove(session: Connection, envelope: Envelope) -> None:
        store(session, schema, envelope.data, projection.version_of(envelope), removed=True)

    return {"auth.habilitation.granted": upsert, "auth.habilitation.changed": upsert,
            "auth.habilitation.revoked": remove}


def grant_of(session: Connection, schema: str, user_id: str, scope_type: str, scope_id: str):
    """The user's habilitation on that EJ, contract or CPOM, or None."""
    table = table_of(schema)
    return session.execute(
        sa.select(table).where(table.c.user_id == user_id, table.c.scope_type == scope_type,
                               table.c.scope_id == scope_id, projection.live(table))
    ).mappings().first()


def granted_on_any(schema: str, user_id: str, scopes) -> sa.Exists:
    """An EXISTS clause: the user holds a habilitation on one of `scopes`, pairs (scope type, scope id)
    whose id may be a column of the enclosing query. Put in that query, it answers what grant_of() would,
    for several scopes, without a round trip of its own."""
    table = table_of(schema)
    return sa.exists().where(table.c.user_id == user_id, projection.live(table), sa.or_(*(
        sa.and_(table.c.scope_type == scope_type, table.c.scope_id == scope_id) for scope_type, scope_id in scopes)))


def scopes_of(session: Connection, schema: str, user_id: str, scope_type: str) -> list[str]:
    table = table_of(schema)
    return list(session.execute(
        sa.select(table.c.scope_id).where(table.c.user_id == user_id, table.c.scope_type == scope_type,
                                          projection.live(table))
    ).scalars())


def blueprint() -> Blueprint:
    """GET /me/habilitations: what this service's projection says the caller may reach."""
    bp = Blueprint("habilitations", __name__)

    @bp.get("/me/habilitations")
    @authenticated
    def mine():
        settings = current_app.config["SETTINGS"]
        table = table_of(settings.schema)
        with current_app.extensions["db"].session() as session:
            rows = session.execute(sa.select(table).where(table.c.user_id == current_identity().user_id,
                                                          projection.live(table))
                                   .order_by(table.c.scope_type, table.c.scope_id)).mappings()
            items = [{k: row[k] for k in ("habilitation_id", "scope_type", "scope_id", "administrateur",
                                          "visibilite_documents_confidentiels")} for row in rows]
        return jsonify({"items": items})

    return bp
