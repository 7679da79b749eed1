"""Password guessing is slowed, not turned into a way to lock people out (issue 16 item 7; ASVS 5.0 6.1.1,
6.3.1; NIST SP 800-63B §5.2.2): from one address, an account's attempts wait longer and longer after 5
failures; the person signing in from elsewhere is not held back; the account locks only after 50 failures in
a row from all addresses; a flood leaves one audit row per kind with a count.

Addresses other than the gateway's are the X-Forwarded-For of calls made straight to the auth service (the
gateway sets it from the connection; a service trusts it, being reached on the internal network only)."""

import httpx

from tests.conftest import unique
from tests.support.db import rows
from tests.support.identity import PASSWORD, active_user

WRONG = "Mauvais-1234!"


def login(stack, email: str, password: str, address: str) -> httpx.Response:
    return httpx.post(f"http://127.0.0.1:{stack.service_port('auth')}/login",
                      json={"email": email, "password": password}, headers={"X-Forwarded-For": address})


def pair(stack, email: str, address: str) -> dict:
    [row] = rows(stack, "SELECT failures, last_failure_at, next_attempt_at FROM auth.login_throttle WHERE key = %s",
                 f"pair:{email} {address}")
    return row


def delay_elapses(stack, email: str, address: str) -> None:
    """As if the wait were over, without waiting."""
    rows(stack, "UPDATE auth.login_throttle SET next_attempt_at = now() WHERE key = %s RETURNING 1",
         f"pair:{email} {address}")


def test_attempts_from_one_address_wait_longer_and_longer_but_the_person_elsewhere_signs_in(stack, gateway):
    email, _ = active_user(stack)
    ghost = f"{unique('ghost')}@e-cars.test"
    for who in (email, ghost):  # a real account and an unknown one answer alike
        answers = [login(stack, who, WRONG, "203.0.113.5") for _ in range(5)]
        assert [a.status_code for a in answers] == [401] * 5
        slowed = login(stack, who, PASSWORD, "203.0.113.5")  # even the right password: not checked at all
        assert slowed.status_code == 429
        error = slowed.json()["error"]
        assert error["code"] == "login_throttled"
        assert error["details"]["retry_after"] >= 1
        assert "patientez" in error["message"] and "seconde(s)" in error["message"]

    # the person, from their own address, is not held back by the flood
    assert login(stack, email, PASSWORD, "198.51.100.20").status_code == 200

    # each failure past the fifth doubles the wait: 1 s, 2 s, 4 s
    waits = []
    for _ in range(3):
        delay_elapses(stack, email, "203.0.113.5")
        assert login(stack, email, WRONG, "203.0.113.5").status_code == 401
        row = pair(stack, email, "203.0.113.5")
        waits.append((row["next_attempt_at"] - row["last_failure_at"]).total_seconds())
    assert waits == [2.0, 4.0, 8.0]

    # a success from that address clears its wait
    delay_elapses(stack, email, "203.0.113.5")
    assert login(stack, email, PASSWORD, "203.0.113.5").status_code == 200
    assert rows(stack, "SELECT 1 FROM auth.login_throttle WHERE key = %s", f"pair:{email} 203.0.113.5") == []


def test_the_account_locks_only_after_fifty_failures_in_a_row_from_all_addresses(stack, mailbox):
    email, _ = active_user(stack)
    ghost = f"{unique('ghost')}@e-cars.test"
    for who in (email, ghost):
        statuses = [login(stack, who, WRONG, f"198.18.1.{1 + n // 5}").status_code for n in range(50)]
        assert statuses == [401] * 49 + [429]  # 10 addresses, 5 tries each: none of them was slowed
        locked = login(stack, who, PASSWORD, "198.51.100.30")
        assert locked.status_code == 429
        assert locked.json()["error"]["code"] == "login_locked"
        assert "réessayez dans 15 minute" in locked.json()["error"]["message"]
        assert locked.json()["error"]["details"]["retry_after"] > 800
    [notice] = mailbox.wait_for(email)
    assert notice["subject"] == "e-CARS – Connexion bloquée temporairement"
    assert "bloquée jusqu'au" in notice["text"]
    assert mailbox.messages(ghost) == []


def test_a_success_starts_the_count_again(stack):
    email, _ = active_user(stack)
    for n in range(40):
        assert login(stack, email, WRONG, f"198.18.2.{1 + n // 5}").status_code == 401
    assert login(stack, email, PASSWORD, "198.51.100.40").status_code == 200
    for n in range(40):  # 80 failures in all, never 50 in a row: never locked
        assert login(stack, email, WRONG, f"198.18.3.{1 + n // 5}").status_code == 401
    assert login(stack, email, PASSWORD, "198.51.100.40").status_code == 200


def test_a_flood_is_audited_as_one_row_per_kind_with_a_count(stack):
    email, user_id = active_user(stack)
    address = "203.0.113.77"
    statuses = [login(stack, email, WRONG, address).status_code for _ in range(30)]
    # (a wait of 1 s, then 2 s, may pass during the flood: a few more attempts are then checked)
    assert statuses[:6] == [401] * 5 + [429] and set(statuses) == {401, 429}
    audited = rows(stack, "SELECT action, details FROM auth.audit_log WHERE user_id = %s AND client_address = %s "
                          "ORDER BY id", user_id, address)
    assert [(r["action"], r["details"]["count"]) for r in audited] == [
        ("login.failed", statuses.count(401)), ("login.throttled", statuses.count(429))]
    assert statuses.count(429) > 20
    # unknown accounts from one address alike
    for _ in range(12):
        login(stack, f"{unique('inconnu')}@e-cars.test", WRONG, "203.0.113.78")
    [failed] = rows(stack, "SELECT details FROM auth.audit_log WHERE action = 'login.failed' AND user_id IS NULL "
                           "AND client_address = %s", "203.0.113.78")
    assert failed["details"]["count"] == 12


def test_a_password_reset_lifts_the_lock_and_the_waits(stack, gateway, mailbox):
    from tests.e2e.test_identity import reset_password

    email, _ = active_user(stack)
    for n in range(50):
        login(stack, email, WRONG, f"198.18.4.{1 + n // 5}")
    assert login(stack, email, PASSWORD, "198.51.100.50").status_code == 429
    assert reset_password(gateway, mailbox, email, "Renouvele-Apres-2026!").status_code == 200
    assert login(stack, email, "Renouvele-Apres-2026!", "198.18.4.1").status_code == 200


def test_a_new_phone_number_needs_the_current_password_which_counts_like_a_login(stack):
    """ASVS 5.0 7.5.1: « Mon compte » asks the current password before changing the phone number; a wrong one counts
    towards the waits and the lock as a failed login does, and the session that locks the account ends."""
    email, user_id = active_user(stack)
    address = "198.18.9.1"
    tokens = login(stack, email, PASSWORD, address).json()

    def patch(body: dict) -> httpx.Response:
        return httpx.patch(f"http://127.0.0.1:{stack.service_port('auth')}/me", json=body,
                           headers={"Authorization": f"Bearer {tokens['access_token']}", "X-Forwarded-For": address})

    missing = patch({"telephone": "02 96 27 20 27"})
    assert missing.status_code == 422
    assert missing.json()["error"] == {
        "code": "validation_failed", "details": {"current_password": "obligatoire"},
        "message": "Pour changer de numéro de téléphone, saisissez votre mot de passe actuel."}
    not_text = patch({"telephone": "02 96 27 20 27", "current_password": 12})
    assert not_text.status_code == 422
    assert not_text.json()["error"]["details"] == {"current_password": "chaîne attendue"}
    wrong = patch({"telephone": "02 96 27 20 27", "current_password": WRONG})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "wrong_current_password"
    assert wrong.json()["error"]["message"] == "Le mot de passe actuel est incorrect."
    assert rows(stack, "SELECT telephone FROM auth.users WHERE id = %s", user_id)[0]["telephone"] == ""
    assert pair(stack, email, address)["failures"] == 1  # counted as a failed login from this address
    [refused] = rows(stack, "SELECT details FROM auth.audit_log WHERE user_id = %s AND action = %s", user_id,
                     "details.change_refused")
    assert refused["details"]["count"] == 1
    # the other details, and the same number again, need no password
    assert patch({"fonction": "Directrice", "telephone": ""}).status_code == 200
    saved = patch({"telephone": "0296272027", "current_password": PASSWORD})
    assert saved.status_code == 200 and saved.json()["telephone"] == "02 96 27 20 27"
    assert rows(stack, "SELECT 1 FROM auth.login_throttle WHERE key = %s", f"pair:{email} {address}") == []

    # one failure short of the lock (from other addresses): this wrong password locks, and this session ends
    rows(stack, "INSERT INTO auth.login_throttle (key, failures, last_failure_at) VALUES (%s, 49, now()) RETURNING key",
         f"account:{email}")
    locked = patch({"telephone": "01 22 33 44 55", "current_password": WRONG})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "login_locked"
    [ended] = rows(stack, "SELECT ended_reason FROM auth.sessions WHERE user_id = %s", user_id)
    assert ended["ended_reason"] == "account_locked"
    assert rows(stack, "SELECT telephone FROM auth.users WHERE id = %s", user_id)[0]["telephone"] == "02 96 27 20 27"
