"""The campaign calendar (issue 17 §1): opening and closing dates shown on the contract's pages, entry locked
by itself once the closing date has passed (the contracts worker's job), and the ARS's extension for one EJ."""

import time
from datetime import timedelta

import httpx
import pytest

from tests.support.campaigns import add_contract, contract, in_days, make_campaign, paris_today
from tests.support.contracts import GOOD_ANSWERS
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in


def wait_for_status(gateway, tokens, contract_id, status, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = contract(gateway, tokens, contract_id)
        if view["status"] == status:
            return view
        time.sleep(0.2)
    raise AssertionError(f"contract {contract_id} never reached {status}")


def french(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def test_every_page_of_the_contract_shows_its_calendar_and_countdown(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=in_days(10), opens_on=in_days(-5))
    member = setup.members[0]
    view = contract(gateway, member.tokens, member.contract_id)
    assert view["calendar"] == {"opens_on": in_days(-5), "closes_on": in_days(10), "campaign_closes_on": in_days(10),
                                "extended": False, "days_left": 10, "passed": False, "label": "Clôture dans 10 jours"}
    indicator = httpx.get(f"{gateway}/api/contracts/contracts/{member.contract_id}/indicators/ACC01",
                          headers=bearer(member.tokens)).json()
    assert indicator["contract"]["calendar"]["label"] == "Clôture dans 10 jours"


def test_a_campaign_without_closing_date_has_no_countdown_and_never_locks(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=None)
    view = contract(gateway, setup.members[0].tokens, setup.members[0].contract_id)
    assert view["calendar"]["label"] is None and view["calendar"]["closes_on"] is None
    assert view["status"] == "AUTO-EVALUATION"


def test_the_closing_date_locks_entry_by_itself_with_a_receipt_and_one_event(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=in_days(-1))
    member = setup.members[0]
    view = wait_for_status(gateway, member.tokens, member.contract_id, "CONSULTATION")
    assert view["calendar"]["label"] == f"Clôturée le {french(in_days(-1))}"
    assert view["editable"] is False
    save = httpx.put(f"{gateway}/api/contracts/contracts/{member.contract_id}/indicators/ACC01",
                     headers=bearer(member.tokens), json={"version": 0, "answers": {"REALISE": 3}})
    assert save.status_code == 409 and save.json()["error"]["code"] == "contract_closed"
    [receipt] = rows(stack, "SELECT closed_by, hash FROM contracts.receipts WHERE contract_id = %s", member.contract_id)
    assert receipt["closed_by"] is None and view["receipt_hash"] == receipt["hash"]
    [audited] = rows(stack, "SELECT by_user, reason FROM contracts.audit WHERE contract_id = %s AND field = 'status'",
                     member.contract_id)
    assert audited["by_user"] is None and "Date de clôture atteinte" in audited["reason"]
    events = rows(stack, "SELECT envelope FROM contracts.outbox WHERE type = 'contracts.entry.locked' "
                         "AND envelope->'data'->>'contract_id' = %s", member.contract_id)
    assert len(events) == 1 and events[0]["envelope"]["data"]["fill_percentage"] == 0


def test_the_ars_extends_one_ej_which_reopens_it_audited_and_emailed(gateway, stack, mailbox):
    setup = make_campaign(gateway, stack, closes_on=in_days(-1), contracts=2)
    late, other = setup.members
    wait_for_status(gateway, late.tokens, late.contract_id, "CONSULTATION")
    wait_for_status(gateway, other.tokens, other.contract_id, "CONSULTATION")  # the job may lock them in two runs
    answer = httpx.post(f"{gateway}/api/contracts/contracts/{late.contract_id}/deadline", headers=bearer(setup.ars),
                        json={"closes_on": in_days(5), "reason": "Changement de direction en juin"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"closes_on": in_days(5), "previous_closes_on": in_days(-1), "reopened": True,
                             "status": "AUTO-EVALUATION"}
    view = contract(gateway, late.tokens, late.contract_id)
    assert view["status"] == "AUTO-EVALUATION" and view["editable"] is True
    assert view["calendar"]["label"] == "Clôture dans 5 jours" and view["calendar"]["extended"] is True
    save = httpx.put(f"{gateway}/api/contracts/contracts/{late.contract_id}/indicators/ACC01",
                     headers=bearer(late.tokens), json={"version": 0, "answers": GOOD_ANSWERS["ACC01"]})
    assert save.status_code == 200, save.text
    assert contract(gateway, other.tokens, other.contract_id)["status"] == "CONSULTATION"  # only the one EJ

    [mail] = [m for m in mailbox.wait_for(late.email, count=2) if "prolongé" in m["subject"]]
    assert mail["subject"] == f"e-CARS – Délai de saisie prolongé au {french(in_days(5))} (Auto-évaluation 2024 - " \
                              f"EJ {late.finess})"
    for part in (mail["text"], mail["html"]):
        assert "Changement de direction en juin" in part and "ars-ecars@ars.sante.fr" in part
        assert "04.72.34.41.26" in part and "rouverte" in part
    audited = rows(stack, "SELECT field, old, new, reason, by_email FROM contracts.audit WHERE contract_id = %s "
                          "AND by_email IS NOT NULL ORDER BY id", late.contract_id)
    assert [(a["field"], a["old"], a["new"]) for a in audited[:2]] == [
        ("status", "CONSULTATION", "AUTO-EVALUATION"), ("closes_on", in_days(-1), in_days(5))]
    assert audited[1]["reason"] == "Changement de direction en juin" and audited[1]["by_email"] == setup.ars_email


def test_an_extension_refuses_bad_dates_and_other_callers(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=in_days(20))
    member = setup.members[0]
    url = f"{gateway}/api/contracts/contracts/{member.contract_id}/deadline"

    def post(body, tokens=setup.ars):
        return httpx.post(url, headers=bearer(tokens), json=body)

    for body, status, code in (
            ({"closes_on": in_days(-2), "reason": "x"}, 422, "validation_failed"),
            ({"closes_on": in_days(10), "reason": "x"}, 409, "not_later"),
            ({"closes_on": in_days(20), "reason": "x"}, 409, "not_later"),
            ({"closes_on": "31/12/2030", "reason": "x"}, 422, "validation_failed"),
            ({"closes_on": in_days(30)}, 422, "validation_failed"),
            ({"closes_on": in_days(30), "reason": ""}, 422, "validation_failed"),
            ({"closes_on": in_days(30), "reason": "x" * 2001}, 422, "validation_failed")):
        answer = post(body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), body
    assert post({"closes_on": in_days(30), "reason": "x"}, member.tokens).status_code == 403
    stranger_email, _ = active_user(stack, role="ars", region="Normandie")
    assert post({"closes_on": in_days(30), "reason": "x"}, sign_in(gateway, stranger_email)).status_code == 404
    unknown = httpx.post(f"{gateway}/api/contracts/contracts/00000000-0000-4000-8000-000000000000/deadline",
                         headers=bearer(setup.ars), json={"closes_on": in_days(30), "reason": "x"})
    assert unknown.status_code == 404
    assert rows(stack, "SELECT 1 FROM contracts.audit WHERE contract_id = %s", member.contract_id) == []
    assert contract(gateway, member.tokens, member.contract_id)["calendar"]["closes_on"] == in_days(20)


def test_a_contract_the_establishment_closed_is_not_extended(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=in_days(3))
    member = setup.members[0]
    for code, answers in GOOD_ANSWERS.items():
        saved = httpx.put(f"{gateway}/api/contracts/contracts/{member.contract_id}/indicators/{code}",
                          headers=bearer(member.tokens), json={"version": 0, "answers": answers})
        assert saved.status_code == 200, saved.text
    closed = httpx.post(f"{gateway}/api/contracts/contracts/{member.contract_id}/close", headers=bearer(member.tokens))
    assert closed.status_code == 200, closed.text
    answer = httpx.post(f"{gateway}/api/contracts/contracts/{member.contract_id}/deadline", headers=bearer(setup.ars),
                        json={"closes_on": in_days(9), "reason": "x"})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "closed_by_establishment"
    assert contract(gateway, member.tokens, member.contract_id)["status"] == "CONSULTATION"


def test_the_campaign_calendar_is_set_by_its_ars_and_checked(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=None)
    url = setup.url(gateway, "/calendar")
    answer = httpx.put(url, headers=bearer(setup.ars), json={"opens_on": in_days(-1), "closes_on": in_days(12)})
    assert answer.status_code == 200, answer.text
    member = setup.members[0]
    assert contract(gateway, member.tokens, member.contract_id)["calendar"]["label"] == "Clôture dans 12 jours"
    bad = httpx.put(url, headers=bearer(setup.ars), json={"opens_on": in_days(5), "closes_on": in_days(1)})
    assert bad.status_code == 422 and "closes_on" in bad.json()["error"]["details"]
    assert httpx.put(url, headers=bearer(setup.ars), json={"closes_on": "demain"}).status_code == 422
    assert httpx.put(url, headers=bearer(member.tokens), json={"closes_on": in_days(3)}).status_code == 403
    created = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(setup.ars), json={
        "name": "C", "evaluated_year": 2024, "starts_on": "2025-01-01", "ends_on": "2025-06-30",
        "opens_on": in_days(3), "closes_on": in_days(1), "region": setup.region,
        "template": {"indicators": [{"code": "A", "label": "A", "questions": [
            {"code": "Q", "label": "Q", "kind": "number"}]}]}})
    assert created.status_code == 422 and "closes_on" in created.json()["error"]["details"]
    assert contract(gateway, member.tokens, member.contract_id)["calendar"]["closes_on"] == in_days(12)


@pytest.mark.parametrize("days", [0, 1])
def test_the_countdown_says_today_and_tomorrow(gateway, stack, days):
    setup = make_campaign(gateway, stack, closes_on=(paris_today() + timedelta(days=days)).isoformat())
    label = contract(gateway, setup.ars, setup.members[0].contract_id)["calendar"]["label"]
    assert label == {0: "Clôture aujourd'hui", 1: "Clôture dans 1 jour"}[days]


def test_a_contract_reopened_after_its_date_is_not_locked_again_for_that_date(gateway, stack, mailbox):
    setup = make_campaign(gateway, stack, closes_on=in_days(-1))
    member = setup.members[0]
    wait_for_status(gateway, member.tokens, member.contract_id, "CONSULTATION")
    reopened = httpx.post(f"{gateway}/api/contracts/contracts/{member.contract_id}/reopen", headers=bearer(setup.ars),
                          json={"reason": "Erreur de saisie"})
    assert reopened.status_code == 200, reopened.text
    # nobody closed it (the date did): its contacts are told it is open again, with the reason
    [mail] = mailbox.wait_for(member.email, subject="e-CARS – Saisie rouverte")
    assert "Erreur de saisie" in mail["text"]
    # a second contract of the campaign locked afterwards shows the job ran again since the reopening
    later = add_contract(gateway, stack, setup)
    wait_for_status(gateway, later.tokens, later.contract_id, "CONSULTATION")
    assert contract(gateway, member.tokens, member.contract_id)["status"] == "AUTO-EVALUATION"
