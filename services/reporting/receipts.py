"""The receipts emailed to the EJ's contacts (docs/receipts.md): the reporting worker consumes the closing of a
contract (`contracts.evaluation.closed`, `contracts.entry.locked`) and the transmission of a CPOM
(`cpom.information.transmitted`), whose `receipt` is what the PDF prints and `contacts` whom to send it to; it makes
the PDF and publishes it, in the same transaction as the inbox row (so once per event), as `reporting.receipt.ready`,
which the notifications service emails with the PDF attached."""

import base64
from functools import partial

from sqlalchemy import Connection

from ecars_common import outbox
from ecars_common.events import Envelope
from services.reporting import pdf, receipt_document
from services.reporting.config import Config

CONSUMED = ("contracts.evaluation.closed", "contracts.entry.locked", "cpom.information.transmitted")


def receipt_pdf(receipt: dict, config: Config) -> bytes:
    return pdf.to_pdf(receipt_document.render(receipt), config.soffice, config.pdf_timeout_seconds)


def page_of(receipt: dict) -> str:
    """The web page (gateway/ui) of what the receipt is of."""
    if receipt["kind"] == "contract":
        return f"/contrats/{receipt['contract_id']}"
    return f"/cpom/{receipt['cpom_id']}"


def make_receipt(session: Connection, envelope: Envelope, config: Config) -> None:
    data = envelope.data
    receipt, recipients = data.get("receipt"), sorted(set(data.get("contacts") or []))
    if receipt is None or not recipients:  # an event written before receipts were carried, or nobody to tell
        return
    outbox.publish(session, "reporting.receipt.ready", {
        "source_event_id": envelope.id, "kind": receipt["kind"], "title": receipt_document.title_of(receipt),
        "name": receipt["name"], "context": receipt["context"], "ej": receipt["ej"], "hash": receipt["hash"],
        "at": receipt["at"], "page": page_of(receipt), "recipients": recipients,
        "filename": receipt_document.filename_of(receipt),
        "pdf": base64.b64encode(receipt_pdf(receipt, config)).decode("ascii"),
    }, service="reporting")


def event_handlers(config: Config) -> dict:
    return {event: partial(make_receipt, config=config) for event in CONSUMED}
