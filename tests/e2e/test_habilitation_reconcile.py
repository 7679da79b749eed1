"""`python -m services.<contracts|cpom|documents> reconcile-habilitations` repairs a projection that drifted from
auth (events lost, a restore…) and reports what it changed; the support dashboard shows its last count; auth's
snapshot it reads is refused to anybody without the service key."""

import json
import subprocess
import sys
import time
import uuid

import httpx

from tests.support.contracts import grant_ej, make_contract
from tests.support.db import connect, rows
from tests.support.identity import active_user, bearer, sign_in

SCHEMAS = ("contracts", "cpom", "documents")


def reconcile(stack, service: str, *args: str) -> dict[str, dict]:
    done = subprocess.run([sys.executable, "-m", f"services.{service}", "reconcile-habilitations", *args],
                          env=stack.env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.startswith('{"projection"')]
    return {report["projection"]: report for report in reports}


def habilitation_of(gateway: str, ars: dict, finess: str, user_id: str) -> str:
    items = httpx.get(f"{gateway}/api/auth/habilitations", headers=bearer(ars),
                      params={"scope_type": "ej", "scope_id": finess}).json()["items"]
    return next(h["id"] for h in items if h["user_id"] == user_id)


def wait_projected(stack, habilitation_id: str) -> None:
    for _ in range(100):
        if all(rows(stack, f"SELECT 1 FROM {s}.habilitations WHERE habilitation_id = %s", habilitation_id)
               for s in SCHEMAS):
            return
        time.sleep(0.1)
    raise AssertionError("the projections never learnt of the habilitation")


def test_reconciliation_repairs_a_drifted_projection_and_reports_it(stack, gateway):
    setup = make_contract(gateway, stack)
    changed_email, changed_user = active_user(stack)
    missing_email, missing_user = active_user(stack)
    ghost_email, ghost_user = active_user(stack)
    for email in (changed_email, missing_email):
        grant_ej(gateway, setup.ars, setup.finess, email)
    changed = habilitation_of(gateway, setup.ars, setup.finess, changed_user)
    missing = habilitation_of(gateway, setup.ars, setup.finess, missing_user)
    wait_projected(stack, changed)
    wait_projected(stack, missing)
    ghost = str(uuid.uuid4())  # revoked in auth, its revocation never reached the projections
    with connect(stack) as conn:
        for schema in SCHEMAS:
            conn.execute(f"UPDATE {schema}.habilitations SET administrateur = NOT administrateur "
                         "WHERE habilitation_id = %s", [changed])
            conn.execute(f"DELETE FROM {schema}.habilitations WHERE habilitation_id = %s", [missing])
            conn.execute(f"INSERT INTO {schema}.habilitations (habilitation_id, user_id, scope_type, scope_id, "
                         "administrateur, visibilite_documents_confidentiels, version) "
                         "VALUES (%s, %s, 'ej', %s, true, true, 1)", [ghost, ghost_user, setup.finess])
        conn.execute("DELETE FROM contracts.contacts WHERE habilitation_id = %s", [missing])
    ghost_tokens, missing_tokens = bearer(sign_in(gateway, ghost_email)), bearer(sign_in(gateway, missing_email))
    assert httpx.get(setup.url(gateway), headers=ghost_tokens).status_code == 200  # the drift: access kept
    assert httpx.get(setup.url(gateway), headers=missing_tokens).status_code in (403, 404)  # access missing

    for service in ("cpom", "documents"):  # a dry run reports, changes nothing (other tests' rows stay as they are)
        report = reconcile(stack, service, "--dry-run")["habilitations"]
        assert report["dry_run"] is True
        assert missing in report["added"] and changed in report["changed"] and ghost in report["removed"], service
        assert rows(stack, f"SELECT removed FROM {service}.habilitations WHERE habilitation_id = %s",
                    ghost) == [{"removed": False}]

    reports = reconcile(stack, "contracts")
    assert set(reports) == {"habilitations", "contacts"}
    report = reports["habilitations"]
    assert missing in report["added"] and changed in report["changed"] and ghost in report["removed"]
    assert report["repaired"] == len(report["added"]) + len(report["changed"]) + len(report["removed"])
    assert missing in reports["contacts"]["added"]

    assert httpx.get(setup.url(gateway), headers=ghost_tokens).status_code in (403, 404)  # repaired
    assert httpx.get(setup.url(gateway), headers=missing_tokens).status_code == 200
    [held] = rows(stack, "SELECT administrateur, removed FROM contracts.habilitations WHERE habilitation_id = %s",
                  changed)
    [truth] = rows(stack, "SELECT administrateur FROM auth.habilitations WHERE id = %s", changed)
    assert held == {"administrateur": truth["administrateur"], "removed": False}
    assert rows(stack, "SELECT email FROM contracts.contacts WHERE habilitation_id = %s AND NOT removed",
                missing) == [{"email": missing_email}]

    again = reconcile(stack, "contracts")  # nothing left to repair
    assert again["habilitations"]["repaired"] == 0 and again["contacts"]["repaired"] == 0

    support_email, _ = active_user(stack, role="support")
    board = httpx.get(f"{gateway}/api/contracts/dashboard", headers=bearer(sign_in(gateway, support_email)))
    assert board.status_code == 200
    assert board.json()["counts"]["habilitations_repaired_last_reconciliation"] == 0  # the last run's count
    assert board.json()["counts"]["habilitations_reconciled_at"]
    [first, last] = rows(stack, "SELECT added + changed + removed AS repaired FROM contracts.reconciliations "
                                "WHERE projection = 'habilitations' ORDER BY id DESC LIMIT 2")[::-1]
    assert first["repaired"] == report["repaired"] and last["repaired"] == 0


def test_auth_snapshot_needs_the_service_key(stack, gateway):
    auth = stack.env()["ECARS_AUTH_URL"]
    assert httpx.get(f"{auth}/habilitations/snapshot").status_code == 403
    wrong = httpx.get(f"{auth}/habilitations/snapshot", headers={"X-Ecars-Service-Key": "devine"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
    key = stack.env().get("ECARS_SERVICE_KEY", "local-dev-service-key")  # the default every process shares here
    right = httpx.get(f"{auth}/habilitations/snapshot", headers={"X-Ecars-Service-Key": key})
    assert right.status_code == 200 and all("version" in item for item in right.json()["items"])
