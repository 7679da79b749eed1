"""« Renouveler le mot de passe », step 1, through the gateway: auth → outbox → bus → notifications → SMTP."""

import re
import time

import httpx

from tests.conftest import unique
from tests.support.db import create_user, rows

SEND = "/api/auth/password-reset/code"


def test_known_email_receives_a_french_email_with_a_six_digit_code(gateway, stack, mailbox):
    email = f"{unique('agent')}@ars.test"
    user_id = create_user(stack, email, prenom="Jeanne", nom="MARTIN")

    answer = httpx.post(gateway + SEND, json={"email": email.upper()})

    assert answer.status_code == 202
    assert "code de vérification" in answer.json()["message"]
    [mail] = mailbox.wait_for(email)
    assert mail["subject"] == "e-CARS – Votre code de vérification"
    assert "Bonjour Mme Jeanne MARTIN" in mail["text"]
    code = re.search(r"Votre code de vérification : (\d{6})\b", mail["text"]).group(1)
    assert code in mail["html"]
    assert "ars-ecars@ars.sante.fr" in mail["text"] and "04.72.34.41.26" in mail["text"]
    [stored] = rows(stack, "SELECT code_hash, expires_at - created_at AS ttl, used_at FROM auth.verification_codes "
                           "WHERE user_id = %s", user_id)
    assert code not in stored["code_hash"] and len(stored["code_hash"]) == 64  # hashed, never in clear
    assert stored["ttl"].total_seconds() == 600 and stored["used_at"] is None
    [delivery] = rows(stack, "SELECT status, recipient FROM notifications.deliveries WHERE recipient = %s", email)
    assert delivery["status"] == "sent"


def test_unknown_email_gets_the_same_answer_and_no_email(gateway, stack, mailbox):
    known = f"{unique('known')}@ars.test"
    create_user(stack, known)
    unknown = f"{unique('ghost')}@ars.test"

    for_known = httpx.post(gateway + SEND, json={"email": known})
    for_unknown = httpx.post(gateway + SEND, json={"email": unknown})

    assert (for_unknown.status_code, for_unknown.json()) == (for_known.status_code, for_known.json())
    mailbox.wait_for(known)
    assert mailbox.messages(unknown) == []
    audit = rows(stack, "SELECT action FROM auth.audit_log WHERE details->>'email' = %s", unknown)
    assert [a["action"] for a in audit] == ["verification_code.unknown_email"]


def test_a_new_code_supersedes_the_previous_one(gateway, stack, mailbox):
    email = f"{unique('twice')}@ars.test"
    user_id = create_user(stack, email)
    for _ in range(2):
        assert httpx.post(gateway + SEND, json={"email": email}).status_code == 202
    mailbox.wait_for(email, count=2)
    live = rows(stack, "SELECT id FROM auth.verification_codes WHERE user_id = %s AND expires_at > now()", user_id)
    assert len(live) == 1


def test_sends_are_capped_per_hour_without_telling_the_caller(gateway, stack, mailbox):
    email = f"{unique('flood')}@ars.test"
    create_user(stack, email)
    answers = [httpx.post(gateway + SEND, json={"email": email}) for _ in range(7)]
    assert {a.status_code for a in answers} == {202}
    mailbox.wait_for(email, count=5)

    time.sleep(1.0)  # give a sixth email, if one were wrongly sent, the time to arrive
    assert len(mailbox.messages(email)) == 5


def test_bad_input_is_refused_with_a_clear_error_and_nothing_stored(gateway, stack):
    before = rows(stack, "SELECT count(*) AS n FROM auth.outbox")[0]["n"]
    cases = [
        ({"email": "pas-une-adresse"}, 422, "validation_failed", "email"),
        ({}, 422, "validation_failed", "email"),
        ({"email": 42}, 422, "validation_failed", "email"),
        ({"email": None}, 422, "validation_failed", "email"),
        ({"email": "a" * 300 + "@x.fr"}, 422, "validation_failed", "email"),
        (["email"], 400, "invalid_json", None),
    ]
    for body, status, code, field in cases:
        answer = httpx.post(gateway + SEND, json=body)
        assert answer.status_code == status, body
        error = answer.json()["error"]
        assert error["code"] == code and error["message"]
        if field:
            assert field in error["details"]
    not_json = httpx.post(gateway + SEND, content=b"email=x", headers={"Content-Type": "text/plain"})
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "invalid_json"
    assert rows(stack, "SELECT count(*) AS n FROM auth.outbox")[0]["n"] == before
