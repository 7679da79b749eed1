"""The documents attached to indicators, as the documents service announces them
(`documents.document.added`): listed on the indicator, in the Word export, and sealed in the receipt
by their sha256."""

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.events import Envelope
from services.contracts.orm import indicator_documents


def document_added(session: Connection, envelope: Envelope) -> None:
    data = envelope.data
    if data["owner_type"] != "indicator":
        return
    session.execute(insert(indicator_documents).values(
        document_id=data["document_id"], contract_id=data["contract_id"], indicator_code=data["indicator_id"],
        name=data["name"], sha256=data["sha256"], size=data["size"]).on_conflict_do_nothing())


def event_handlers() -> dict:
    return {"documents.document.added": document_added}
