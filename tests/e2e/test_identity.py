"""Identity through the gateway (guide 000 §1, guide 004 « Accéder à l'extranet », « Mon compte »)."""

import httpx
import pytest

from tests.conftest import unique
from tests.support.db import create_user, rows
from tests.support.identity import PASSWORD, active_user, bearer, latest_code, sign_in

STRONG = "Nouveau-Mot2Passe!"


def api(gateway, path):
    return f"{gateway}/api/auth{path}"


def reset_password(gateway, mailbox, email, password=STRONG, count=1) -> httpx.Response:
    assert httpx.post(api(gateway, "/password-reset/code"), json={"email": email}).status_code == 202
    code = latest_code(mailbox, email, count)
    verified = httpx.post(api(gateway, "/password-reset/verify"), json={"email": email, "code": code})
    assert verified.status_code == 200, verified.text
    return httpx.post(api(gateway, "/password-reset/complete"),
                      json={"reset_token": verified.json()["reset_token"], "password": password,
                            "confirmation": password})


def test_first_login_forces_the_reset_by_emailed_code_then_signs_in(gateway, stack, mailbox):
    email = f"{unique('premier')}@e-cars.test"
    create_user(stack, email)  # like a new user whose password was "sent by email": must reset

    first = httpx.post(api(gateway, "/login"), json={"email": email, "password": "anything-at-all"})
    assert first.status_code == 401  # no password set yet: nothing can sign in
    done = reset_password(gateway, mailbox, email)
    assert done.status_code == 200 and "modifié" in done.json()["message"]

    tokens = sign_in(gateway, email, STRONG)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    me = httpx.get(api(gateway, "/me"), headers=bearer(tokens))
    assert me.status_code == 200 and me.json()["email"] == email
    [changed] = mailbox.wait_for(email, count=2)[1:]
    assert changed["subject"] == "e-CARS – Votre mot de passe a été modifié"


def test_a_user_whose_password_was_emailed_must_reset_it_before_anything_else(gateway, stack):
    from services.auth.passwords import hash_password

    email = f"{unique('emailed')}@e-cars.test"
    create_user(stack, email, password_hash=hash_password("Mot-De-Passe-Envoye1!"), must_reset_password=True)
    answer = httpx.post(api(gateway, "/login"), json={"email": email, "password": "Mot-De-Passe-Envoye1!"})
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "password_reset_required"
    assert "première connexion" in answer.json()["error"]["message"]
    assert "access_token" not in answer.text


@pytest.mark.parametrize("password, rule", [
    ("Court-1!", "length"),
    ("A" * 60 + "b1!xxx", "length"),
    ("SANS-MINUSCULE-123", "lowercase"),
    ("sans-majuscule-123", "uppercase"),
    ("Sans-Chiffre-Ici!", "digit"),
    ("SansSpecial12345", "special"),
])
def test_each_password_rule_is_enforced_and_named(gateway, stack, mailbox, password, rule):
    email = f"{unique('regle')}@e-cars.test"
    create_user(stack, email)
    answer = reset_password(gateway, mailbox, email, password)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "weak_password"
    assert rule in [r["rule"] for r in error["details"]["rules"]]
    assert all(r["message"] in error["message"] for r in error["details"]["rules"])


def test_password_equal_to_email_and_mismatched_confirmation_are_refused(gateway, stack, mailbox):
    email = f"{unique('Egal')}A1!@e-cars.test"
    create_user(stack, email)
    assert httpx.post(api(gateway, "/password-reset/code"), json={"email": email}).status_code == 202
    verified = httpx.post(api(gateway, "/password-reset/verify"),
                          json={"email": email, "code": latest_code(mailbox, email)}).json()
    answer = httpx.post(api(gateway, "/password-reset/complete"), json={
        "reset_token": verified["reset_token"], "password": email.upper(), "confirmation": "autre chose"})
    assert {r["rule"] for r in answer.json()["error"]["details"]["rules"]} >= {"not_email", "match"}
    # the grant is not spent by a refused password
    ok = httpx.post(api(gateway, "/password-reset/complete"), json={
        "reset_token": verified["reset_token"], "password": STRONG, "confirmation": STRONG})
    assert ok.status_code == 200


def test_codes_expire_are_single_use_and_die_after_five_wrong_tries(gateway, stack, mailbox):
    verify = api(gateway, "/password-reset/verify")
    # expired
    email = f"{unique('expire')}@e-cars.test"
    user_id = create_user(stack, email)
    httpx.post(api(gateway, "/password-reset/code"), json={"email": email})
    code = latest_code(mailbox, email)
    rows(stack, "UPDATE auth.verification_codes SET expires_at = now() - interval '1 second' "
                "WHERE user_id = %s RETURNING id", user_id)
    expired = httpx.post(verify, json={"email": email, "code": code})
    assert expired.status_code == 422 and expired.json()["error"]["code"] == "invalid_code"
    # reused
    email = f"{unique('reuse')}@e-cars.test"
    create_user(stack, email)
    httpx.post(api(gateway, "/password-reset/code"), json={"email": email})
    code = latest_code(mailbox, email)
    assert httpx.post(verify, json={"email": email, "code": code}).status_code == 200
    assert httpx.post(verify, json={"email": email, "code": code}).status_code == 422
    # brute force: five wrong codes kill the right one
    email = f"{unique('brute')}@e-cars.test"
    create_user(stack, email)
    httpx.post(api(gateway, "/password-reset/code"), json={"email": email})
    code = latest_code(mailbox, email)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    for _ in range(5):
        assert httpx.post(verify, json={"email": email, "code": wrong}).status_code == 422
    assert httpx.post(verify, json={"email": email, "code": code}).status_code == 422
    # unknown email: the same answer
    ghost = httpx.post(verify, json={"email": f"{unique('ghost')}@e-cars.test", "code": "123456"})
    assert ghost.status_code == 422 and ghost.json()["error"]["code"] == "invalid_code"


# Failed logins (slowed per address, the account locked after 50 in a row, the email): tests/e2e/test_login_throttle.py


def test_tokens_rotate_and_logout_revokes_them(gateway, stack):
    email, _ = active_user(stack)
    tokens = sign_in(gateway, email)
    refreshed = httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    # the spent token again, at once (two tabs): refused, but the other session lives on
    raced = httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": tokens["refresh_token"]})
    assert raced.status_code == 401
    newer = httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": new["refresh_token"]})
    assert newer.status_code == 200
    # a token spent long ago presented again: theft is assumed, every session of the user ends
    rows(stack, "UPDATE auth.refresh_tokens SET revoked_at = now() - interval '1 hour' WHERE user_id = "
                "(SELECT id FROM auth.users WHERE email = %s) AND revoked_at IS NOT NULL RETURNING 1", email)
    stolen = httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": tokens["refresh_token"]})
    assert stolen.status_code == 401
    live = newer.json()["refresh_token"]
    assert httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": live}).status_code == 401
    again = sign_in(gateway, email)
    assert httpx.post(api(gateway, "/logout"), headers=bearer(again)).status_code == 204
    assert httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": again["refresh_token"]}).status_code == 401


def test_mon_compte_changes_details_and_password(gateway, stack, mailbox):
    email, _ = active_user(stack)
    tokens = sign_in(gateway, email)
    changed = httpx.patch(api(gateway, "/me"), headers=bearer(tokens),
                          json={"civilite": "M.", "fonction": "Directeur adjoint", "telephone": "0296272027",
                                "current_password": PASSWORD})
    assert changed.status_code == 200 and changed.json()["fonction"] == "Directeur adjoint"
    bad = httpx.patch(api(gateway, "/me"), headers=bearer(tokens), json={"civilite": "Dr", "nom": ""})
    assert bad.status_code == 422 and "civilite" in bad.json()["error"]["details"]
    wrong = httpx.post(api(gateway, "/me/password"), headers=bearer(tokens),
                       json={"current_password": "pas le bon", "password": STRONG, "confirmation": STRONG})
    assert wrong.status_code == 403
    weak = httpx.post(api(gateway, "/me/password"), headers=bearer(tokens),
                      json={"current_password": PASSWORD, "password": "faible", "confirmation": "faible"})
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    for _ in range(3):  # wrong current passwords count toward the lock (5 with the one above)
        httpx.post(api(gateway, "/me/password"), headers=bearer(tokens),
                   json={"current_password": "encore faux", "password": STRONG, "confirmation": STRONG})
    ok = httpx.post(api(gateway, "/me/password"), headers=bearer(tokens),
                    json={"current_password": PASSWORD, "password": STRONG, "confirmation": STRONG})
    assert ok.status_code == 200
    spent = httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": tokens["refresh_token"]})
    assert spent.status_code == 401  # a password change ends the other sessions
    sign_in(gateway, email, STRONG)
    mailbox.wait_for(email)


def test_bad_login_input_is_refused_clearly(gateway):
    for body in ({}, {"email": "a@b.fr"}, {"email": "a@b.fr", "password": 3}, {"email": ["x"], "password": "x"}):
        answer = httpx.post(api(gateway, "/login"), json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["code"] == "validation_failed"


def test_audit_log_records_security_events_without_secrets(gateway, stack, mailbox):
    email = f"{unique('audit')}@e-cars.test"
    user_id = create_user(stack, email)
    reset_password(gateway, mailbox, email)
    sign_in(gateway, email, STRONG)
    code = latest_code(mailbox, email)
    actions = [r["action"] for r in rows(stack, "SELECT action FROM auth.audit_log WHERE user_id = %s ORDER BY id",
                                         user_id)]
    assert actions == ["verification_code.sent", "verification_code.verified", "password.reset", "login.succeeded"]
    dump = str(rows(stack, "SELECT * FROM auth.audit_log WHERE user_id = %s", user_id))
    assert STRONG not in dump and code not in dump
    assert all(r["client_address"] == "127.0.0.1" for r in rows(
        stack, "SELECT client_address FROM auth.audit_log WHERE user_id = %s", user_id))
