"""Reminder emails before a closing date: automatic ones at the configured offsets (calendar.py runs
send_due), manual ones the ARS sends to a selection (bulk.py). Each is a `reminders` row written with its
outbox event in one transaction, the row unique per (contract, closing date, offset) — or per contract and
day for a manual one —, so a reminder goes once whatever the number of workers and restarts; notifications
emails it to the contract's contacts, with its fill rate, what is missing and how to reach support."""

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common import outbox
from ecars_common.events import new_envelope
from ecars_common.logs import request_id_var
from services.contracts import contacts, deadlines, domain, fill
from services.contracts.calendar_rows import effective_closing, with_campaign
from services.contracts.calendar_tables import reminders
from services.contracts.orm import contracts

MISSING_LISTED = 20  # indicators named in the email; the others are counted


def candidates(today: date, horizon: int) -> sa.Select:
    closes_on = effective_closing()
    return (with_campaign().where(contracts.c.status == domain.AUTO_EVALUATION, closes_on >= today,
                                  closes_on <= today + timedelta(days=horizon)).order_by(contracts.c.id))


def send_due(session: Connection, today: date, offsets: tuple[int, ...]) -> int:
    """The automatic reminders due today not sent yet; returns how many were written."""
    if not offsets:
        return 0
    due = {}
    for row in session.execute(candidates(today, max(offsets))).mappings():
        offset = deadlines.due_offset(row["closes_on"], today, offsets)
        if offset is not None:
            due[row["id"]] = (row, offset)
    if not due:
        return 0
    sent = set(session.execute(sa.select(reminders.c.contract_id, reminders.c.closes_on, reminders.c.offset_days)
                               .where(reminders.c.kind == "automatic", reminders.c.contract_id.in_(list(due)))).all())
    due = {cid: (row, k) for cid, (row, k) in due.items() if (cid, row["closes_on"], k) not in sent}
    addresses = contacts.emails_of(session, list(due))
    # nobody to remind yet (the EJ's habilitations come after its contract): not written, so tried again next run
    due = {cid: item for cid, item in due.items() if addresses[cid]}
    rows = [row for row, _ in due.values()]
    progress = fill.progress_of(session, rows)
    return sum(issue(session, row, "automatic", offset, today, progress[row["id"]], addresses[row["id"]])
               for row, offset in due.values())


def issue(session: Connection, contract, kind: str, offset: int | None, today: date, progress: fill.Progress,
          recipients: list[str], by_email: str = "") -> bool:
    closes_on = contract["closes_on"]
    envelope = new_envelope("contracts.reminder.issued", {
        "contract_id": contract["id"], "contract_name": contract["name"], "ej_finess": contract["ej_finess"],
        "ej_raison_sociale": contract["ej_raison_sociale"], "campaign": contract["campaign_name"],
        "kind": kind, "offset_days": offset,
        "closes_on": closes_on.isoformat() if closes_on else None,
        "closes_on_label": deadlines.french_date(closes_on) if closes_on else None,
        "days_left": (closes_on - today).days if closes_on else None,
        "fill_percentage": progress.fill_percentage, "missing_count": len(progress.missing),
        "missing": progress.missing[:MISSING_LISTED], "recipients": recipients, "sent_by_email": by_email},
        source="contracts", correlation_id=request_id_var.get())
    where = sa.text("kind = 'automatic'") if kind == "automatic" else sa.text("kind = 'manual'")
    keys = ["contract_id", "closes_on", "offset_days"] if kind == "automatic" else ["contract_id", "sent_on"]
    written = session.execute(insert(reminders).values(
        contract_id=contract["id"], kind=kind, closes_on=closes_on, offset_days=offset, sent_on=today,
        event_id=envelope.id, recipients=len(recipients), by_email=by_email or None)
        .on_conflict_do_nothing(index_elements=keys, index_where=where).returning(reminders.c.id)).first()
    if written is None:
        return False
    outbox.add(session, "contracts", envelope)
    return True
