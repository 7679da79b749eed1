"""« Messages » between an EJ's people and the authority (ARS / CD) on one contract or one CPOM, and the authority's
private notes (issue 18, docs/messaging.md). Written once for both owners: contracts and cpom each keep their threads
in a table of their own schema (`define_table`, `create_table`) and say who reaches a thread and whom a message is
emailed to (`Thread`, from their own access rules); the rules, the statements, the three routes and their OpenAPI
description are here.

A message is never changed nor deleted (a trigger refuses it). A private note is the authority's: it is never
returned to, emailed to, nor counted for an établissement user. Attachments are documents of the documents service
(owner « message »), which asks the owning service for the message with the caller's token."""

from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Blueprint, jsonify
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import UUID

from ecars_common.app import unit_of_work
from ecars_common.errors import ApiError
from ecars_common.openapi import BOOL, INT, TEXT, array, json_body, obj, operation, string
from ecars_common.openapi import UUID as UUID_SCHEMA
from ecars_common.payload import bool_field, json_object, text_problem
from ecars_common.tokens import Identity, authenticated, current_identity

MAX_TEXT = 5000
ETABLISSEMENT, AUTORITE = "etablissement", "autorite"
TOO_LONG = f"Le message dépasse {MAX_TEXT:,} caractères : raccourcissez-le ou joignez un document.".replace(",", " ")
EMPTY = "Le message est vide : écrivez votre message avant de l'envoyer."
PRIVATE_FOR_AUTHORITY = "Seule l'autorité (ARS, conseil départemental) peut écrire une note privée."


def columns() -> list[sa.Column]:
    return [
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("scope_id", UUID(as_uuid=False), nullable=False),  # the contract's or the CPOM's id
        sa.Column("private", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author_id", UUID(as_uuid=False), nullable=False),
        sa.Column("author_email", sa.Text, nullable=False, server_default=""),
        sa.Column("author_side", sa.Text, nullable=False),  # etablissement | autorite
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def define_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("messages", metadata, *columns(), sa.Index("messages_scope_posted", "scope_id", "posted_at"))


def create_table(op, schema: str) -> None:
    """The migration's part: the table, its index, and the trigger that keeps it append-only."""
    op.create_table("messages", *columns(), schema=schema)
    op.create_index("messages_scope_posted", "messages", ["scope_id", "posted_at"], schema=schema)
    op.execute(f"""
        CREATE FUNCTION "{schema}".messages_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'messages are append-only: % refused', TG_OP; END $$;
        CREATE TRIGGER messages_append_only BEFORE UPDATE OR DELETE ON "{schema}".messages
            FOR EACH ROW EXECUTE FUNCTION "{schema}".messages_append_only();
        CREATE TRIGGER messages_no_truncate BEFORE TRUNCATE ON "{schema}".messages
            FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".messages_append_only();""")


def drop_table(op, schema: str) -> None:
    op.drop_table("messages", schema=schema)
    op.execute(f'DROP FUNCTION "{schema}".messages_append_only()')


@dataclass(frozen=True)
class Thread:
    """A contract's or a CPOM's thread as its owning service lets the caller reach it."""
    scope: str  # "contract" | "cpom"
    scope_id: str
    authority: bool  # the caller speaks for the authority: reads and writes the private notes
    subject: str  # the contract's or the CPOM's name, for the emails
    ej_finess: str
    ej_raison_sociale: str
    page_path: str  # the web page of the thread (/contrats/<id>/messages), linked from the emails
    recipients: Callable[[], list[str]] = field(default=lambda: [])  # the other side's addresses


def side_of(thread: Thread) -> str:
    return AUTORITE if thread.authority else ETABLISSEMENT


def parse(data: dict) -> tuple[str, bool]:
    """{"text", "private"} as typed: the text stripped; empty or too long refused in French, naming the field."""
    text = data.get("text")
    problem = text_problem(text, MAX_TEXT)
    if problem is not None:
        message = {"obligatoire": EMPTY}.get(problem, TOO_LONG if problem.startswith("au plus") else
                                              "Le message doit être un texte.")
        raise ApiError(422, "validation_failed", message, {"text": message})
    return text.strip(), bool_field(data, "private")


def item(row) -> dict:
    return {"id": row["id"], "text": row["text"], "private": row["private"], "posted_at": row["posted_at"].isoformat(),
            "author": {"user_id": row["author_id"], "email": row["author_email"], "side": row["author_side"]}}


def visible(table: sa.Table, authority: bool):
    """The messages of the thread :scope_id the caller may read: the private notes for the authority only."""
    condition = table.c.scope_id == sa.bindparam("scope_id")
    return condition if authority else sa.and_(condition, table.c.private.is_(False))


def thread_items(session: Connection, table: sa.Table, thread: Thread) -> list[dict]:
    return items_of(session, table, thread.scope_id, thread.authority)


def items_of(session: Connection, table: sa.Table, scope_id: str, authority: bool) -> list[dict]:
    """The thread of `scope_id`, oldest first, as `authority` (or not) reads it; with authority=False, the messages
    exchanged only — what an export prints."""
    rows = session.execute(sa.select(table).where(visible(table, authority))
                           .order_by(table.c.posted_at, table.c.id), {"scope_id": scope_id}).mappings()
    return [item(row) for row in rows]


def one(session: Connection, table: sa.Table, thread: Thread, message_id: str) -> dict:
    row = session.execute(sa.select(table).where(visible(table, thread.authority), table.c.id == message_id),
                          {"scope_id": thread.scope_id}).mappings().first()
    if row is None:  # a private note is « introuvable » to an établissement user, as one that does not exist
        raise ApiError(404, "not_found", "Message introuvable.")
    return item(row)


def post(session: Connection, table: sa.Table, thread: Thread, identity: Identity, text: str, private: bool,
         publish: Callable, event_type: str) -> dict:
    """The message, and for a message to the other side (not a private note) the event that emails it."""
    if private and not thread.authority:
        raise ApiError(403, "private_note_forbidden", PRIVATE_FOR_AUTHORITY)
    row = session.execute(table.insert().values(
        scope_id=thread.scope_id, private=private, text=text, author_id=identity.user_id,
        author_email=identity.email or "", author_side=side_of(thread)).returning(*table.c)).mappings().one()
    posted = item(row)
    if not private:
        publish(session, event_type, {
            "message_id": posted["id"], "scope": thread.scope, "scope_id": thread.scope_id, "subject": thread.subject,
            "ej_finess": thread.ej_finess, "ej_raison_sociale": thread.ej_raison_sociale, "text": text,
            "author_email": identity.email or "", "author_side": side_of(thread), "posted_at": posted["posted_at"],
            "page_path": thread.page_path, "recipients": sorted(set(thread.recipients()) - {identity.email})})
    return posted


def counts(table: sa.Table, scope_id) -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """For an export row: the number of messages exchanged on `scope_id` (a column) and the last one's moment;
    private notes never counted."""
    shared = sa.and_(table.c.scope_id == scope_id, table.c.private.is_(False))
    return (sa.select(sa.func.count()).where(shared).scalar_subquery(),
            sa.select(sa.func.max(table.c.posted_at)).where(shared).scalar_subquery())


def blueprint(name: str, prefix: str, table: sa.Table, open_thread: Callable, publish: Callable, event_type: str,
              after_post: Callable | None = None) -> Blueprint:
    """GET and POST <prefix>/messages, GET <prefix>/messages/<id>. `open_thread(session, identity, scope_id)` is the
    owner's access rule (its 404 for a contract or CPOM the caller may not see); `after_post(session, identity,
    thread, message)` its history row."""
    bp = Blueprint(name, __name__)

    @bp.get(f"{prefix}/messages")
    @authenticated
    def list_messages(scope_id):
        with unit_of_work() as session:
            thread = open_thread(session, current_identity(), str(scope_id))
            return jsonify({"items": thread_items(session, table, thread), "authority": thread.authority,
                            "max_length": MAX_TEXT})

    @bp.post(f"{prefix}/messages")
    @authenticated
    def post_message(scope_id):
        text, private = parse(json_object())
        identity = current_identity()
        with unit_of_work() as session:
            thread = open_thread(session, identity, str(scope_id))
            posted = post(session, table, thread, identity, text, private, publish, event_type)
            if after_post is not None:
                after_post(session, identity, thread, posted)
        return jsonify(posted), 201

    @bp.get(f"{prefix}/messages/<uuid:message_id>")
    @authenticated
    def show_message(scope_id, message_id):
        with unit_of_work() as session:
            thread = open_thread(session, current_identity(), str(scope_id))
            return jsonify({**one(session, table, thread, str(message_id)), "authority": thread.authority})

    return bp


MESSAGE = obj({"id": UUID_SCHEMA, "text": TEXT, "private": BOOL, "posted_at": TEXT,
               "author": obj({"user_id": UUID_SCHEMA, "email": TEXT, "side": string(enum=[ETABLISSEMENT, AUTORITE])},
                             ["user_id", "side"])}, ["id", "text", "private", "posted_at", "author"])


def openapi_paths(prefix: str, what: str) -> dict:
    """The three routes' description, for the owner's openapi.py (`what`: « du contrat », « du CPOM »)."""
    return {
        f"{prefix}/messages": {
            "get": operation(f"« Messages » {what} : le fil avec l'autorité (les notes privées pour l'autorité seule).",
                             returns=obj({"items": array(MESSAGE), "authority": BOOL, "max_length": INT},
                                         ["items", "authority"])),
            "post": operation(f"Écrire un message {what} (envoyé par courriel à l'autre partie) ou, pour l'autorité, "
                              "une note privée.", status=201, returns=MESSAGE, errors=[403, 422],
                              body=json_body(obj({"text": string(MAX_TEXT, minLength=1), "private": BOOL},
                                                 ["text"]))),
        },
        f"{prefix}/messages/<uuid:message_id>": {"get": operation(
            f"Un message {what} (lu par le service documents pour ses pièces jointes).",
            returns=obj({**MESSAGE["properties"], "authority": BOOL}, ["id", "text", "author", "authority"]))},
    }
