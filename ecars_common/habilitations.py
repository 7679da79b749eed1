"""Local projection of auth's habilitations, kept by every service that authorises access to an EJ,
a contract or a CPOM (contracts, cpom, documents), from the `auth.habilitation.*` events.

Authorisation is cross-cutting infrastructure, like token checks: the table, its upkeep and the
lookup live here once; what a habilitation allows stays in each service."""

from functools import cache

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import UUID, insert

from ecars_common.events import Envelope
from ecars_common.tokens import authenticated, current_identity


def columns() -> list:
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
    table = sa.Table("habilitations", metadata, *columns())
    sa.Index("habilitations_lookup", table.c.user_id, table.c.scope_type, table.c.scope_id)
    return table


def create_table(op, schema: str) -> None:
    """For a service's Alembic migration."""
    op.create_table("habilitations", *columns(), schema=schema)
    op.create_index("habilitations_lookup", "habilitations", ["user_id", "scope_type", "scope_id"], schema=schema)


def event_handlers(schema: str) -> dict:
    table = table_of(schema)
    fields = ("user_id", "scope_type", "scope_id", "administrateur", "visibilite_documents_confidentiels")

    def upsert(session: Connection, envelope: Envelope) -> None:
        values = {name: envelope.data[name] for name in fields}
        session.execute(insert(table).values(habilitation_id=envelope.data["habilitation_id"], **values)
                        .on_conflict_do_update(index_elements=["habilitation_id"],
                                               set_={**values, "updated_at": sa.func.now()}))

    def remove(session: Connection, envelope: Envelope) -> None:
        session.execute(table.delete().where(table.c.habilitation_id == envelope.data["habilitation_id"]))

    return {"auth.habilitation.granted": upsert, "auth.habilitation.changed": upsert,
            "auth.habilitation.revoked": remove}


def grant_of(session: Connection, schema: str, user_id: str, scope_type: str, scope_id: str):
    """The user's habilitation on that EJ, contract or CPOM, or None."""
    table = table_of(schema)
    return session.execute(
        sa.select(table).where(table.c.user_id == user_id, table.c.scope_type == scope_type,
                               table.c.scope_id == scope_id)
    ).mappings().first()


def granted_on_any(schema: str, user_id: str, scopes) -> sa.Exists:
    """An EXISTS clause: the user holds a habilitation on one of `scopes`, pairs (scope type, scope id)
    whose id may be a column of the enclosing query. Put in that query, it answers what grant_of() would,
    for several scopes, without a round trip of its own."""
    table = table_of(schema)
    return sa.exists().where(table.c.user_id == user_id, sa.or_(*(
        sa.and_(table.c.scope_type == scope_type, table.c.scope_id == scope_id) for scope_type, scope_id in scopes)))


def scopes_of(session: Connection, schema: str, user_id: str, scope_type: str) -> list[str]:
    table = table_of(schema)
    return list(session.execute(
        sa.select(table.c.scope_id).where(table.c.user_id == user_id, table.c.scope_type == scope_type)
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
            rows = session.execute(sa.select(table).where(table.c.user_id == current_identity().user_id)
                                   .order_by(table.c.scope_type, table.c.scope_id)).mappings()
            items = [{k: row[k] for k in ("habilitation_id", "scope_type", "scope_id", "administrateur",
                                          "visibilite_documents_confidentiels")} for row in rows]
        return jsonify({"items": items})

    return bp
