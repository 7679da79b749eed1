"""The documents of the CPOM folders, as the documents service announces them (`documents.document.added`, owner
« folder »): listed, with their sha256, in the receipt of a transmission (docs/receipts.md) — but for those of
the « Documents confidentiels », which the établissement never sees. Documents are append-only: a redelivered
event changes nothing (ON CONFLICT DO NOTHING, besides the inbox)."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.events import Envelope
from services.cpom.orm import folder_documents


def document_added(session: Connection, envelope: Envelope) -> None:
    data = envelope.data
    if data["owner_type"] != "folder":
        return
    session.execute(insert(folder_documents).values(
        document_id=data["document_id"], cpom_id=data["cpom_id"], folder_name=data.get("folder_name", ""),
        confidential=data.get("confidential", False), name=data["name"], sha256=data["sha256"], size=data["size"],
        added_at=data["uploaded_at"]).on_conflict_do_nothing())


def shown_in_receipts(session: Connection, cpom_id: str) -> list[dict]:
    """The CPOM's folder documents but the confidential ones, by folder then as they were added."""
    rows = session.execute(sa.select(folder_documents)
                           .where(folder_documents.c.cpom_id == cpom_id, ~folder_documents.c.confidential)
                           .order_by(folder_documents.c.folder_name, folder_documents.c.added_at,
                                     folder_documents.c.document_id))
    return [{"where": r.folder_name, "name": r.name, "sha256": r.sha256} for r in rows]


def event_handlers() -> dict:
    return {"documents.document.added": document_added}
