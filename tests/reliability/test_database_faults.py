"""PostgreSQL connections killed with `pg_terminate_backend` while a service is inside a request's
transaction, and under a worker; each test says what it injected and what it counted.

How a request is caught mid-transaction: the test locks a table the request writes last
(`LOCK TABLE … IN EXCLUSIVE MODE` in its own transaction), waits until pg_stat_activity shows the
service's backend (application_name `ecars-<service>`) waiting for that lock with its earlier writes
already made (pg_locks: RowExclusiveLock granted on those tables), terminates that backend, releases the
lock. Only backends of this suite's database are ever terminated."""

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from urllib.parse import quote

import aio_pika
import httpx
import psycopg
import pytest
from minio import Minio

from deploy.localstack import S3_ACCESS_KEY, S3_PORT, S3_SECRET_KEY
from ecars_common.amqp import declare_exchange
from tests.conftest import TEST_EXCHANGE, unique
from tests.support import cpom as cpom_support
from tests.support import samples
from tests.support.contracts import make_contract
from tests.support.db import connect, rows
from tests.support.identity import active_user, bearer, sign_in

UNAVAILABLE = {"error": {"code": "database_unavailable",
                         "message": "La base de données est momentanément indisponible : réessayez dans quelques "
                                    "instants.", "details": {}}}


# -- the fault -----------------------------------------------------------------------------------------

def waiting_backend(stack, application_name: str, table: str) -> dict | None:
    """The service's backend waiting for a lock on `table`, with the tables its transaction has written."""
    with connect(stack) as conn:
        found = conn.execute(
            "SELECT a.pid, a.backend_xid::text AS xid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
            "WHERE a.datname = current_database() AND a.application_name = %s AND a.wait_event_type = 'Lock' "
            "AND NOT l.granted AND l.relation = %s::regclass", (application_name, table)).fetchone()
        if found is None:
            return None
        written = conn.execute(
            "SELECT relation::regclass::text AS name FROM pg_locks WHERE pid = %s AND granted "
            "AND mode = 'RowExclusiveLock' AND relation IS NOT NULL", (found["pid"],)).fetchall()
    return {"pid": found["pid"], "xid": found["xid"], "written": {row["name"] for row in written}}


def terminate(stack, pids) -> int:
    with connect(stack) as conn:
        return sum(conn.execute("SELECT pg_terminate_backend(%s) AS done", (pid,)).fetchone()["done"]
                   for pid in pids)


@contextmanager
def locked(stack, table: str):
    """`table` locked against writes (reads still pass) until the block ends."""
    holder = psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{stack.database}")
    try:
        holder.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        yield
    finally:
        holder.rollback()
        holder.close()


def killed_mid_transaction(stack, service: str, table: str, send: Callable[[], httpx.Response]) -> tuple:
    """Send the request while `table` is locked; once the service's backend waits for that lock, terminate
    it, then release the lock. Returns (the response, what the backend had written when it was killed)."""
    answer: dict = {}
    with locked(stack, table):
        request = threading.Thread(target=lambda: answer.update(response=send()))
        request.start()
        deadline = time.monotonic() + 30
        while (backend := waiting_backend(stack, f"ecars-{service}", table)) is None:
            assert request.is_alive(), f"the request did not wait for {table}: {answer['response'].text}"
            assert time.monotonic() < deadline, f"no {service} backend waiting for {table}"
            time.sleep(0.05)
        assert terminate(stack, [backend["pid"]]) == 1
    request.join(timeout=60)
    return answer["response"], backend


def assert_clean_503(stack, service: str, response: httpx.Response, body: dict = UNAVAILABLE,
                     logged: str = "database unavailable") -> None:
    """503 with the API's error JSON (no stack trace), and the service's log has it under the request id."""
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == body
    request_id = response.headers["X-Request-ID"]
    entries = [json.loads(line) for line in (stack.log_dir / f"{service}.log").read_text(errors="replace")
               .splitlines() if line.startswith("{") and request_id in line]
    assert any(e["level"] == "ERROR" and e["message"].startswith(logged) for e in entries), entries


# -- what was published --------------------------------------------------------------------------------

class Published:
    """A queue of the test's own bound to the suite's exchange: every event really published with a routing key."""

    def __init__(self, routing_key: str):
        self.queue = unique("test.database-faults")
        self.seen: list[dict] = []
        asyncio.run(self._declare(routing_key))

    async def _declare(self, routing_key: str) -> None:
        async with await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/") as connection:
            channel = await connection.channel()
            queue = await channel.declare_queue(self.queue, durable=False)
            await queue.bind(await declare_exchange(channel, TEST_EXCHANGE), routing_key)

    async def _drain(self) -> None:
        async with await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/") as connection:
            queue = await (await connection.channel()).declare_queue(self.queue, passive=True)
            while (message := await queue.get(fail=False)) is not None:
                self.seen.append(json.loads(message.body))
                await message.ack()

    def matching(self, predicate, count: int, timeout: float = 20) -> list[dict]:
        """Waits for `count` matching events, then a second more for any extra one; returns them all."""
        deadline = time.monotonic() + timeout
        while True:
            asyncio.run(self._drain())
            if len([e for e in self.seen if predicate(e)]) >= count or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        time.sleep(1.0)
        asyncio.run(self._drain())
        return [e for e in self.seen if predicate(e)]

    def delete(self) -> None:
        async def delete():
            async with await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/") as connection:
                await (await connection.channel()).queue_delete(self.queue)
        asyncio.run(delete())


@pytest.fixture
def published():
    made: list[Published] = []

    def bind(routing_key: str) -> Published:
        made.append(Published(routing_key))
        return made[-1]

    yield bind
    for queue in made:
        queue.delete()


def count(stack, sql: str, *params) -> int:
    return rows(stack, f"SELECT count(*) AS n FROM {sql}", *params)[0]["n"]


# -- requests killed mid-transaction --------------------------------------------------------------------

def test_contracts_save_killed_before_its_outbox_insert_stores_nothing_and_succeeds_when_sent_again(
        gateway, stack, published):
    """Injected: `pg_terminate_backend` on the contracts service's backend while « Enregistrer » (PUT of an
    indicator's answers) waits for `contracts.outbox` inside its write — one statement that writes the answer, its
    audit row, the contract's version and the outbox row, and holds the locks of the first three. Counted: the
    answer rows, audit rows, outbox rows and contract version before, after the fault and after the same request
    sent again; the `contracts.indicator.saved` events on the broker."""
    setup = make_contract(gateway, stack)
    events = published("contracts.indicator.saved")
    url = setup.url(gateway, "/indicators/ACC01")

    def stored() -> dict:
        return {"answers": rows(stack, "SELECT answers, version FROM contracts.indicator_answers "
                                       "WHERE contract_id = %s", setup.contract_id),
                "audit": count(stack, "contracts.audit WHERE contract_id = %s", setup.contract_id),
                # the save's own events (creating the contract announced it too: contracts.contract.created)
                "outbox": count(stack, "contracts.outbox WHERE envelope->'data'->>'contract_id' = %s "
                                       "AND envelope->>'type' = 'contracts.indicator.saved'", setup.contract_id),
                "version": rows(stack, "SELECT version FROM contracts.contracts WHERE id = %s",
                                setup.contract_id)[0]["version"]}

    def send() -> httpx.Response:
        return httpx.put(url, headers=bearer(setup.member), timeout=60,
                         json={"version": 0, "answers": {"REALISE": 42}, "comment": ""})

    before = stored()
    response, backend = killed_mid_transaction(stack, "contracts", "contracts.outbox", send)

    # inside the save's write statement: the tables it writes before the outbox are locked for writing by it
    assert {"contracts.indicator_answers", "contracts.audit", "contracts.contracts"} <= backend["written"]
    assert_clean_503(stack, "contracts", response)
    assert before["answers"] == [] and before["audit"] == 0 and before["outbox"] == 0
    assert stored() == before, "no partial write"

    again = send()
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 1
    assert stored() == {"answers": [{"answers": {"REALISE": 42}, "version": 1}], "audit": 1, "outbox": 1,
                        "version": before["version"] + 1}
    saved = events.matching(lambda e: e["data"]["contract_id"] == setup.contract_id, count=1)
    assert [e["data"]["version"] for e in saved] == [1], "one event, from the request that succeeded"


def test_cpom_remark_killed_before_its_audit_row_stores_nothing_and_succeeds_when_sent_again(gateway, stack):
    """Injected: `pg_terminate_backend` on the cpom service's backend while « Remarques » (POST of a remark)
    waits for `cpom.audit_log`, after inserting the remark. Counted: the CPOM's remarks, audit rows and outbox
    rows before, after the fault and after the same request sent again."""
    ars = cpom_support.user(stack, gateway, role="ars", region="Bretagne")
    cpom_id = cpom_support.create_cpom(gateway, ars, cpom_support.organisation(gateway, ars))["id"]
    text = f"Remarque {uuid.uuid4().hex[:8]}"

    def stored() -> dict:
        return {"remarks": [r["texte"] for r in rows(stack, "SELECT texte FROM cpom.remarques WHERE cpom_id = %s",
                                                      cpom_id)],
                "audit": [(r["action"], r["request_id"]) for r in rows(
                    stack, "SELECT action, request_id FROM cpom.audit_log WHERE cpom_id = %s ORDER BY id", cpom_id)],
                "outbox": count(stack, "cpom.outbox WHERE envelope::text LIKE %s", f"%{cpom_id}%")}

    def send() -> httpx.Response:
        return httpx.post(cpom_support.api(gateway, f"/cpoms/{cpom_id}/remarques"), headers=ars.headers,
                          json={"texte": text}, timeout=60)

    before = stored()
    response, backend = killed_mid_transaction(stack, "cpom", "cpom.audit_log", send)

    assert "cpom.remarques" in backend["written"]
    assert_clean_503(stack, "cpom", response)
    assert before["remarks"] == []
    assert stored() == before, "no partial write"

    again = send()
    assert again.status_code == 201, again.text
    after = stored()
    assert after["remarks"] == [text]
    assert after["audit"] == [*before["audit"], ("remarque.added", again.headers["X-Request-ID"])]
    assert after["outbox"] == before["outbox"]
    listed = httpx.get(cpom_support.api(gateway, f"/cpoms/{cpom_id}/remarques"), headers=ars.headers).json()
    assert [r["texte"] for r in listed["items"]] == [text]


def test_auth_code_request_killed_before_its_outbox_insert_sends_no_email_and_succeeds_when_sent_again(
        gateway, stack, mailbox):
    """Injected: `pg_terminate_backend` on the auth service's backend while « Envoyer le code de vérification »
    waits for `auth.outbox`, after storing the new code. Counted: the user's codes, audit rows and outbox rows
    before, after the fault and after the same request sent again; the emails the user received."""
    email, user_id = active_user(stack)

    def stored() -> dict:
        return {"codes": count(stack, "auth.verification_codes WHERE user_id = %s", user_id),
                "audit": [r["action"] for r in rows(stack, "SELECT action FROM auth.audit_log WHERE user_id = %s "
                                                           "ORDER BY id", user_id)],
                "outbox": count(stack, "auth.outbox WHERE envelope->'data'->>'email' = %s", email)}

    def send() -> httpx.Response:
        return httpx.post(f"{gateway}/api/auth/password-reset/code", json={"email": email}, timeout=60)

    response, backend = killed_mid_transaction(stack, "auth", "auth.outbox", send)

    assert "auth.verification_codes" in backend["written"]
    assert_clean_503(stack, "auth", response)
    assert stored() == {"codes": 0, "audit": [], "outbox": 0}, "no partial write"

    again = send()
    assert again.status_code == 202, again.text
    assert stored() == {"codes": 1, "audit": ["verification_code.sent"], "outbox": 1}
    mailbox.wait_for(email, count=1)
    time.sleep(1.0)  # an email from the failed request would be there too by now
    assert len(mailbox.messages(email)) == 1


def test_documents_upload_killed_before_its_outbox_insert_leaves_no_metadata_row(gateway, stack, published):
    """Injected: `pg_terminate_backend` on the documents service's backend while a document de référence
    upload, its file already complete in S3, waits for `documents.outbox` after inserting its metadata row.
    Counted: the region's metadata rows, the S3 objects under `reference/`, `documents.document.added` events,
    before, after the fault and after the same upload sent again. The object of the failed upload stays in S3
    (Object Lock: it cannot be deleted) without a row, so nobody can list or read it; the log names it."""
    region = f"Corse {uuid.uuid4().hex[:6]}"
    ars = sign_in(gateway, active_user(stack, role="ars", region=region)[0])
    url = f"{gateway}/api/documents/references/{quote(region)}"
    s3 = Minio(f"127.0.0.1:{S3_PORT}", access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)
    events = published("documents.document.added")

    def objects() -> set[str]:
        return {o.object_name for o in s3.list_objects(stack.s3_bucket, prefix="reference/", recursive=True)}

    def send() -> httpx.Response:
        return httpx.post(url, content=samples.pdf(), timeout=60, headers={
            **bearer(ars), "Content-Type": "application/octet-stream", "X-File-Name": "Guide.pdf"})

    keys_before = objects()
    response, backend = killed_mid_transaction(stack, "documents", "documents.outbox", send)

    assert "documents.documents" in backend["written"]
    assert_clean_503(stack, "documents", response, logged="document ", body={"error": {
        "code": "database_unavailable", "details": {},
        "message": "Le document n'a pas pu être enregistré : réessayez dans quelques minutes."}})
    assert count(stack, "documents.documents WHERE region = %s", region) == 0, "no metadata row"
    [orphan] = objects() - keys_before  # the completed object, which has no row
    assert count(stack, "documents.documents WHERE stored_name = %s", orphan) == 0

    again = send()
    assert again.status_code == 201, again.text
    document_id = again.json()["id"]
    assert rows(stack, "SELECT id::text, stored_name FROM documents.documents WHERE region = %s", region) == [
        {"id": document_id, "stored_name": f"reference/{document_id}"}]
    assert objects() - keys_before == {orphan, f"reference/{document_id}"}
    listed = httpx.get(url, headers=bearer(ars)).json()["items"]
    assert [d["id"] for d in listed] == [document_id]
    added = events.matching(lambda e: e["data"].get("region") == region, count=1)
    assert [e["data"]["document_id"] for e in added] == [document_id]


# -- workers -------------------------------------------------------------------------------------------

def backends(stack, *application_names: str) -> dict[str, set[int]]:
    with connect(stack) as conn:
        found = conn.execute("SELECT application_name AS name, pid FROM pg_stat_activity "
                             "WHERE datname = current_database() AND application_name = ANY(%s)",
                             (list(application_names),)).fetchall()
    return {name: {r["pid"] for r in found if r["name"] == name} for name in application_names}


def test_workers_whose_database_connections_are_killed_reconnect_and_deliver_later_events(gateway, stack, mailbox):
    """Injected: `pg_terminate_backend` on every connection of the auth worker's outbox relay (its LISTEN
    connection and its publishing one) and of the notifications worker (its consumer's pool and its relay),
    while they are idle. Counted: the connections terminated; then, for a verification code requested
    afterwards, the outbox row marked sent and the emails received. The worker processes are the same ones
    (no supervisor restarted them): they reconnect by themselves."""
    email, _ = active_user(stack)
    send_code = f"{gateway}/api/auth/password-reset/code"
    assert httpx.post(send_code, json={"email": email}).status_code == 202
    mailbox.wait_for(email, count=1)  # the notifications consumer has used (and pooled) a connection
    names = ("ecars-auth-relay", "ecars-notifications-worker", "ecars-notifications-relay")
    workers = {name: stack.processes[name].pid for name in ("auth-worker", "notifications-worker")}

    killed = backends(stack, *names)
    terminated = {name: terminate(stack, pids) for name, pids in killed.items()}
    assert terminated["ecars-auth-relay"] >= 1 and terminated["ecars-notifications-worker"] >= 1, terminated

    assert httpx.post(send_code, json={"email": email}).status_code == 202
    mailbox.wait_for(email, count=2, timeout=60)
    time.sleep(1.0)
    assert len(mailbox.messages(email)) == 2
    assert count(stack, "auth.outbox WHERE envelope->'data'->>'email' = %s AND sent_at IS NOT NULL", email) == 2
    now = backends(stack, *names)
    assert len(now["ecars-auth-relay"]) == 2 and not now["ecars-auth-relay"] & killed["ecars-auth-relay"]
    assert {name: (stack.processes[name].pid, stack.processes[name].poll()) for name in workers} == {
        name: (pid, None) for name, pid in workers.items()}
