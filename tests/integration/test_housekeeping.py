"""Each worker purges its outbox rows sent and its inbox rows received past the retention (30 days), in batches,
keeping the recent ones; the support dashboard shows what each table holds."""

import time
import uuid

import httpx
import sqlalchemy as sa

from ecars_common import housekeeping
from ecars_common.db import Database
from ecars_common.schedule import TRY_LOCK, lock_key
from tests.support.db import connect, rows
from tests.support.identity import active_user, bearer, sign_in


def add_rows(conn, schema: str, days_ago: float, count: int) -> list[str]:
    ids = [str(uuid.uuid4()) for _ in range(count)]
    for event_id in ids:
        conn.execute(f"INSERT INTO {schema}.outbox (event_id, type, envelope, created_at, sent_at) "
                     "VALUES (%s, 'test.housekeeping.row', '{}', now() - make_interval(days => %s), "
                     "now() - make_interval(days => %s))", [event_id, days_ago, days_ago])
        conn.execute(f"INSERT INTO {schema}.inbox (event_id, type, received_at) "
                     "VALUES (%s, 'test.housekeeping.row', now() - make_interval(days => %s))", [event_id, days_ago])
    return ids


def held(stack, schema: str, ids: list[str]) -> tuple[int, int]:
    [row] = rows(stack, f"SELECT (SELECT count(*) FROM {schema}.outbox WHERE event_id = ANY(%s::uuid[])) AS outbox, "
                        f"(SELECT count(*) FROM {schema}.inbox WHERE event_id = ANY(%s::uuid[])) AS inbox", ids, ids)
    return row["outbox"], row["inbox"]


def test_workers_purge_outbox_and_inbox_rows_past_the_retention_and_keep_the_rest(stack, gateway):
    with connect(stack) as conn:
        old = {schema: add_rows(conn, schema, 31, 3) for schema in ("contracts", "notifications")}
        recent = {schema: add_rows(conn, schema, 29, 2) for schema in ("contracts", "notifications")}
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(held(stack, s, ids) != (0, 0) for s, ids in old.items()):
        time.sleep(0.2)
    for schema in old:
        assert held(stack, schema, old[schema]) == (0, 0), schema  # purged by that service's worker
        assert held(stack, schema, recent[schema]) == (2, 2), schema  # within the retention: kept

    support_email, _ = active_user(stack, role="support")
    board = httpx.get(f"{gateway}/api/contracts/dashboard", headers=bearer(sign_in(gateway, support_email)))
    assert board.status_code == 200
    counts = board.json()["housekeeping"]
    assert counts["events_retention_days"] == 30 and counts["outbox_rows_past_retention"] == 0
    assert counts["inbox_rows"] >= 2 and counts["outbox_sent_rows"] >= 2


def test_a_purge_deletes_in_batches_and_never_an_unsent_row(stack):
    db = Database(stack.database_url, "reporting", pool_size=1)
    try:
        # one transaction, rolled back: the reporting worker sees none of these rows, and skips its runs meanwhile
        with db.engine.connect() as session, session.begin() as transaction:
            assert session.execute(TRY_LOCK, {"key": lock_key("reporting.housekeeping")}).scalar_one()
            session.execute(sa.text("DELETE FROM reporting.inbox WHERE received_at < now() - interval '30 days'"))
            session.execute(sa.text("DELETE FROM reporting.outbox WHERE sent_at < now() - interval '30 days'"))
            for _ in range(5):
                session.execute(sa.text(
                    "INSERT INTO reporting.inbox (event_id, type, received_at) "
                    "VALUES (gen_random_uuid(), 't.h.r', now() - interval '40 days')"))
            unsent = str(uuid.uuid4())
            session.execute(sa.text(
                "INSERT INTO reporting.outbox (event_id, type, envelope, created_at) "
                "VALUES (:id, 't.h.r', '{}', now() - interval '40 days')"), {"id": unsent})
            runs = [housekeeping.purge(session, "reporting", 30, batch=2) for _ in range(4)]
            assert runs == [{"outbox_purged": 0, "inbox_purged": 2}, {"outbox_purged": 0, "inbox_purged": 2},
                            {"outbox_purged": 0, "inbox_purged": 1}, {}]
            assert session.execute(sa.text("SELECT count(*) FROM reporting.outbox WHERE event_id = :id"),
                                   {"id": unsent}).scalar_one() == 1  # never sent: never purged
            transaction.rollback()  # the unsent row must not reach the relay
    finally:
        db.dispose()
