"""Issue 15's defect, reproduced on the running system: the ARS grants a habilitation while the contracts worker
cannot store it (its handler fails: the grant goes to the retry queue with backoff), then revokes it; the
revocation is handled first, the retried grant later. The revoked user must not get the access back — through
the gateway, the contract stays closed to them and no service lists the habilitation."""

import time

import httpx

from tests.support.contracts import grant_ej, make_contract
from tests.support.db import connect, rows
from tests.support.identity import active_user, bearer, sign_in

FAIL_FUNCTION = "test_events_fail_grant"


def fail_grants_of(stack, user_id: str) -> None:
    """Until undone, the contracts projection refuses to store a live habilitation of `user_id` (as if its database
    connection failed in the handler); each refusal is counted in a sequence, which a rollback does not undo."""
    with connect(stack) as conn:
        conn.execute(f"CREATE SEQUENCE IF NOT EXISTS public.{FAIL_FUNCTION}_attempts")
        conn.execute(f"""CREATE OR REPLACE FUNCTION public.{FAIL_FUNCTION}() RETURNS trigger AS $$
            BEGIN
              IF NEW.user_id = '{user_id}' AND NOT NEW.removed THEN
                PERFORM nextval('public.{FAIL_FUNCTION}_attempts');
                RAISE EXCEPTION 'connection to the database lost (injected by the test)';
              END IF;
              RETURN NEW;
            END $$ LANGUAGE plpgsql""")
        conn.execute(f"CREATE TRIGGER {FAIL_FUNCTION} BEFORE INSERT OR UPDATE ON contracts.habilitations "
                     f"FOR EACH ROW EXECUTE FUNCTION public.{FAIL_FUNCTION}()")


def stop_failing(stack) -> None:
    with connect(stack) as conn:
        conn.execute(f"DROP TRIGGER IF EXISTS {FAIL_FUNCTION} ON contracts.habilitations")
        conn.execute(f"DROP FUNCTION IF EXISTS public.{FAIL_FUNCTION}()")
        conn.execute(f"DROP SEQUENCE IF EXISTS public.{FAIL_FUNCTION}_attempts")


def failed_attempts(stack) -> int:
    [row] = rows(stack, f"SELECT last_value, is_called FROM public.{FAIL_FUNCTION}_attempts")
    return row["last_value"] if row["is_called"] else 0


def wait_until(condition, what: str, timeout: float = 20, every=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if every:
            every()
        time.sleep(0.2)
    raise AssertionError(f"never: {what}")


def event_id(stack, type: str, habilitation_id: str) -> str:
    [row] = rows(stack, "SELECT event_id FROM auth.outbox WHERE type = %s "
                        "AND envelope->'data'->>'habilitation_id' = %s", type, habilitation_id)
    return str(row["event_id"])


def handled_at(stack, schema: str, event: str):
    found = rows(stack, f"SELECT received_at FROM {schema}.inbox WHERE event_id = %s", event)
    return found[0]["received_at"] if found else None


def test_a_grant_retried_after_its_revocation_does_not_give_the_access_back(stack, gateway):
    setup = make_contract(gateway, stack)
    email, user_id = active_user(stack)
    support_email, _ = active_user(stack, role="support")
    support = bearer(sign_in(gateway, support_email))
    fail_grants_of(stack, user_id)
    try:
        grant_ej(gateway, setup.ars, setup.finess, email)
        habilitation = next(h for h in httpx.get(f"{gateway}/api/auth/habilitations", headers=bearer(setup.ars),
                                                 params={"scope_type": "ej", "scope_id": setup.finess}).json()["items"]
                            if h["user_id"] == user_id)
        wait_until(lambda: failed_attempts(stack) >= 1, "the contracts worker tried the grant")
        granted = event_id(stack, "auth.habilitation.granted", habilitation["id"])
        assert handled_at(stack, "contracts", granted) is None  # failed: waiting in the retry queue

        revoked = httpx.delete(f"{gateway}/api/auth/habilitations/{habilitation['id']}", headers=bearer(setup.ars))
        assert revoked.status_code == 204, revoked.text
        revocation = event_id(stack, "auth.habilitation.revoked", habilitation["id"])
        wait_until(lambda: handled_at(stack, "contracts", revocation), "the revocation handled by contracts")
        assert handled_at(stack, "contracts", granted) is None  # the revocation went first
    finally:
        stop_failing(stack)
    # the grant is handled now, by its next retry or, if its attempts ran out meanwhile, by a dead-letter replay
    wait_until(lambda: handled_at(stack, "contracts", granted), "the retried grant handled by contracts",
               every=lambda: httpx.post(f"{gateway}/api/contracts/dashboard/dead-letters/replay", headers=support))
    assert handled_at(stack, "contracts", granted) > handled_at(stack, "contracts", revocation)

    revoked_user = bearer(sign_in(gateway, email))
    contract = httpx.get(f"{gateway}/api/contracts/contracts/{setup.contract_id}", headers=revoked_user)
    assert contract.status_code in (403, 404), contract.text
    assert contract.json()["error"]["code"] in ("forbidden", "not_found")
    home = httpx.get(f"{gateway}/api/contracts/ej", headers=revoked_user)
    assert home.status_code == 200 and setup.finess not in home.text
    for service in ("contracts", "cpom", "documents"):
        mine = httpx.get(f"{gateway}/api/{service}/me/habilitations", headers=revoked_user)
        assert mine.status_code == 200 and mine.json()["items"] == [], service
    assert rows(stack, "SELECT removed FROM contracts.habilitations WHERE habilitation_id = %s",
                habilitation["id"]) == [{"removed": True}]
    # the member granted before keeps their access
    assert httpx.get(setup.url(gateway), headers=bearer(setup.member)).status_code == 200
