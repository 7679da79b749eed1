"""A campaign's export for analysts (docs/campaigns.md « Exports »): every contract of the campaign (or those the
progress table's filters select), read in batches by keyset on (FINESS, id) — one statement for the contracts, one
for their saved answers and one for their latest receipts per batch —, turned into rows (export_rows.py) and
written as CSV or XLSX (ecars_common/table_files.py) as they come: memory stays flat whatever the campaign's size.

contracts owns the export rather than reporting: it is a table of contracts' own data with no layout, read
straight from its database; going through reporting would mean a second copy of every row over HTTP."""

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import messaging, table_files
from ecars_common.db import Database
from services.contracts import campaign_indicators, export_rows, progress
from services.contracts.calendar_rows import effective_closing
from services.contracts.orm import campaigns, contracts, indicator_answers, indicator_flags, messages, receipts

BATCH = 500
FORMATS = {"csv": (table_files.csv_chunks, table_files.CSV_TYPE),
           "xlsx": (table_files.xlsx_chunks, table_files.XLSX_TYPE)}
COLUMNS = (contracts.c.id, contracts.c.ej_finess, contracts.c.ej_raison_sociale, contracts.c.ej_departement,
           contracts.c.name, contracts.c.status, contracts.c.review, contracts.c.fill_percentage,
           effective_closing().label("closes_on"),
           *(count.label(name) for count, name in zip(messaging.counts(messages, contracts.c.id),
                                                      ("messages", "last_message_at"), strict=True)))


def batch_query(where: list, after: tuple[str, str] | None) -> sa.Select:
    query = (sa.select(*COLUMNS).join(campaigns, campaigns.c.id == contracts.c.campaign_id).where(*where)
             .order_by(contracts.c.ej_finess, contracts.c.id).limit(BATCH))
    if after is not None:
        last = sa.tuple_(sa.literal(after[0]), sa.literal(after[1], contracts.c.id.type))
        query = query.where(sa.tuple_(contracts.c.ej_finess, contracts.c.id) > last)
    return query


def saved_of(session: Connection, ids: list[str]) -> dict[str, dict[str, export_rows.Saved]]:
    out: dict[str, dict[str, export_rows.Saved]] = {contract_id: {} for contract_id in ids}
    query = sa.select(indicator_answers.c.contract_id, indicator_answers.c.indicator_code, indicator_answers.c.answers,
                      indicator_answers.c.comment, indicator_answers.c.updated_at
                      ).where(indicator_answers.c.contract_id.in_(ids))
    for row in session.execute(query):
        out[row.contract_id][row.indicator_code] = export_rows.Saved(row.answers, row.comment, row.updated_at)
    return out


def closed_at_of(session: Connection, ids: list[str]) -> dict:
    query = (sa.select(receipts.c.contract_id, receipts.c.closed_at).distinct(receipts.c.contract_id)
             .where(receipts.c.contract_id.in_(ids)).order_by(receipts.c.contract_id, receipts.c.id.desc()))
    return dict(session.execute(query).all())


def flags_of(session: Connection, ids: list[str]) -> dict[str, dict[str, str]]:
    """contract id → indicator code → its « À suivre » note (issue 18: the export's last column)."""
    out: dict[str, dict[str, str]] = {contract_id: {} for contract_id in ids}
    query = sa.select(indicator_flags.c.contract_id, indicator_flags.c.indicator_code, indicator_flags.c.note
                      ).where(indicator_flags.c.contract_id.in_(ids))
    for row in session.execute(query):
        out[row.contract_id][row.indicator_code] = row.note
    return out


def rows(session: Connection, campaign_id: str, wanted: progress.Query, shape: str) -> Iterator[list]:
    indicators = campaign_indicators.indicators_of(session, campaign_id)
    where, after = wanted.conditions(campaign_id), None
    while batch := session.execute(batch_query(where, after)).mappings().all():
        ids = [row["id"] for row in batch]
        saved, closed, flagged = saved_of(session, ids), closed_at_of(session, ids), flags_of(session, ids)
        for contract in batch:
            yield from export_rows.rows(indicators, shape, contract, saved[contract["id"]], closed.get(contract["id"]),
                                        flagged[contract["id"]])
        after = (batch[-1]["ej_finess"], batch[-1]["id"])


def chunks(db: Database, campaign_id: str, wanted: progress.Query, shape: str, format: str) -> Iterator[bytes]:
    """The file, chunk by chunk, read in one transaction of its own (the export is one consistent picture)."""
    write, _ = FORMATS[format]
    with db.session() as session:
        session.execute(sa.text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        indicators = campaign_indicators.indicators_of(session, campaign_id)
        yield from write(export_rows.header(indicators, shape), rows(session, campaign_id, wanted, shape))


def filename(campaign, shape: str, format: str) -> str:
    kind = "contrat-indicateur" if shape == "long" else "contrat"
    return f"export-{campaign['evaluated_year']}-{kind}-{campaign['id'][:8]}.{format}"
