"""The campaign calendar's scheduled job, run by every contracts worker (ecars_common.schedule: one at a
time under an advisory lock): once a contract's closing date has passed in Paris, its entry locks by itself
(CONSULTATION, with a receipt of what was entered); then the reminders due today go out (reminders.py).

A contract is locked once per closing date (a `deadline_locks` row): one the ARS reopened after its date is
not locked again until a later date, granted by an extension, has passed too."""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.schedule import PeriodicJob
from services.contracts import contacts, deadlines, domain, evaluation, fill, receipt, reminders
from services.contracts.audit import change_status, publish
from services.contracts.calendar_rows import effective_closing, with_campaign
from services.contracts.calendar_tables import deadline_locks
from services.contracts.config import Config
from services.contracts.orm import contracts, receipts

BATCH = 200
LOCK_REASON = "Date de clôture atteinte : saisie verrouillée automatiquement."


def passed_deadline(today: date) -> sa.Select:
    closes_on = effective_closing()
    already = sa.exists().where(deadline_locks.c.contract_id == contracts.c.id, deadline_locks.c.closes_on == closes_on)
    return (with_campaign()
            .where(contracts.c.status == domain.AUTO_EVALUATION, closes_on < today, ~already)
            .order_by(contracts.c.id).limit(BATCH).with_for_update(of=contracts, skip_locked=True))


def lock_passed(session: Connection, today: date) -> int:
    """Lock every open contract whose closing date is before `today`; returns how many."""
    locked = 0
    while rows := session.execute(passed_deadline(today)).mappings().all():
        progress = fill.progress_of(session, rows)
        emails = contacts.emails_of(session, [row["id"] for row in rows])
        for row in rows:
            lock(session, row, progress[row["id"]].fill_percentage, emails[row["id"]])
        locked += len(rows)
    return locked


def lock(session: Connection, contract, fill_percentage: int, contact_emails: list[str]) -> None:
    frozen = evaluation.snapshot(session, contract)
    digest = domain.receipt_hash(frozen)
    now = datetime.now(UTC)
    session.execute(receipts.insert().values(contract_id=contract["id"], snapshot=frozen, hash=digest, closed_by=None,
                                             closed_at=now))
    change_status(session, None, contract["id"], domain.AUTO_EVALUATION, domain.CONSULTATION, LOCK_REASON,
                  receipt_hash=digest)
    session.execute(insert(deadline_locks).values(contract_id=contract["id"], closes_on=contract["closes_on"])
                    .on_conflict_do_nothing())
    publish(session, "contracts.entry.locked", {
        "contract_id": contract["id"], "contract_name": contract["name"], "ej_finess": contract["ej_finess"],
        "ej_raison_sociale": contract["ej_raison_sociale"], "campaign": contract["campaign_name"],
        "evaluated_year": contract["evaluated_year"], "region": contract["region"],
        "closes_on": contract["closes_on"].isoformat(), "locked_at": now.isoformat(),
        "fill_percentage": fill_percentage, "receipt_hash": digest, "referent_email": contract["referent_email"],
        "receipt": receipt.document_of(contract, frozen, digest, now, None, fill_percentage),
        "contacts": contact_emails})


def run(session: Connection, config: Config, today: date | None = None) -> dict:
    today = today or deadlines.today_in_paris()
    done = {"locked": lock_passed(session, today), "reminded": reminders.send_due(session, today,
                                                                                  config.reminder_offsets)}
    return {name: count for name, count in done.items() if count}


def jobs(config: Config) -> list[PeriodicJob]:
    return [PeriodicJob("contracts.calendar", config.calendar_interval_seconds, lambda session: run(session, config))]
