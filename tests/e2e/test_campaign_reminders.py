"""Reminders before a closing date (issue 17 §2): automatic ones at the configured offsets (J-15, J-7, J-2), sent once
per offset and contract whatever the number of workers and restarts, and the ARS's reminder by hand to a selection
(the bulk action « remind »). Each email shows the fill rate, what is missing and how to reach support."""

import html
import sys
import threading
import time
from datetime import date, timedelta

import httpx

from ecars_common.db import Database
from services.contracts import contacts, fill, reminders
from services.contracts.calendar_rows import with_campaign
from services.contracts.orm import contracts
from tests.support.campaigns import add_contract, in_days, make_campaign, paris_today
from tests.support.contracts import GOOD_ANSWERS, new_finess
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in

NOBODY = "00000000-0000-4000-8000-000000000000"


def save(gateway, member, code):
    answer = httpx.put(f"{gateway}/api/contracts/contracts/{member.contract_id}/indicators/{code}",
                       headers=bearer(member.tokens), json={"version": 0, "answers": GOOD_ANSWERS[code]})
    assert answer.status_code == 200, answer.text


def set_closing(gateway, setup, closes_on):
    answer = httpx.put(setup.url(gateway, "/calendar"), headers=bearer(setup.ars), json={"closes_on": closes_on})
    assert answer.status_code == 200, answer.text


def reminder_mails(mailbox, email):
    return [m for m in mailbox.messages(email) if "Rappel" in m["subject"]]


def wait_for_reminders(mailbox, email, count, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(found := reminder_mails(mailbox, email)) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError(f"expected {count} reminder(s) to {email}, got {len(reminder_mails(mailbox, email))}")


def french(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


def bulk(gateway, setup, body, tokens=None):
    return httpx.post(setup.url(gateway, "/bulk"), headers=bearer(tokens or setup.ars), json=body)


def test_the_automatic_reminder_shows_the_fill_rate_what_is_missing_and_the_support(gateway, stack, mailbox):
    setup = make_campaign(gateway, stack, closes_on=None)
    member = setup.members[0]
    save(gateway, member, "ACC01")
    set_closing(gateway, setup, in_days(7))  # J-7: the reminder of that window goes out
    [mail] = wait_for_reminders(mailbox, member.email, 1)
    assert mail["subject"] == (f"e-CARS – Rappel : clôture de la saisie le {french(in_days(7))} "
                               f"(Auto-évaluation 2024 - EJ {member.finess})")
    for part in (mail["text"], html.unescape(mail["html"])):
        assert "(dans 7 jours)" in part and "verrouillée automatiquement" in part
        assert "14 %" in part  # 1 of the 7 required questions answered
        assert "5 indicateur(s) à renseigner" in part
        assert "Taux d'occupation" in part and "Agents formés, Effectif total" in part
        assert "Nombre de personnes accompagnées" not in part  # answered
        assert "ars-ecars@ars.sante.fr" in part and "04.72.34.41.26" in part
        assert f"/contrats/{member.contract_id}" in part


def test_a_reminder_goes_once_per_offset_with_several_workers_and_after_restarts(gateway, stack, mailbox):
    setup = make_campaign(gateway, stack, closes_on=None)
    member = setup.members[0]
    extra = [f"contracts-worker-extra-{n}" for n in range(2)]
    for name in extra:  # three workers run the calendar job every second from now on
        stack.spawn(name, [sys.executable, "-m", "services.contracts", "worker"])
    try:
        set_closing(gateway, setup, in_days(7))
        wait_for_reminders(mailbox, member.email, 1)
        # a later contract of another campaign reminded too: the job ran again after the first reminder
        probe = make_campaign(gateway, stack, closes_on=None)
        set_closing(gateway, probe, in_days(15))
        wait_for_reminders(mailbox, probe.members[0].email, 1)
        for name in extra:  # restarted: a new process starts from nothing in memory
            stack.stop(name)
            stack.spawn(name, [sys.executable, "-m", "services.contracts", "worker"])
        second_probe = make_campaign(gateway, stack, closes_on=None)
        set_closing(gateway, second_probe, in_days(2))
        wait_for_reminders(mailbox, second_probe.members[0].email, 1)
    finally:
        for name in extra:
            stack.stop(name)
    assert len(reminder_mails(mailbox, member.email)) == 1
    sent = rows(stack, "SELECT kind, offset_days, closes_on::text AS closes_on FROM contracts.reminders "
                       "WHERE contract_id = %s", member.contract_id)
    assert sent == [{"kind": "automatic", "offset_days": 7, "closes_on": in_days(7)}]
    events = rows(stack, "SELECT 1 FROM contracts.outbox WHERE type = 'contracts.reminder.issued' "
                         "AND envelope->'data'->>'contract_id' = %s", member.contract_id)
    assert len(events) == 1


def test_concurrent_runs_write_one_reminder_even_without_the_jobs_lock(gateway, stack, mailbox):
    """The unique row, not the job's advisory lock, makes a reminder once: four transactions racing to issue the J-2
    reminder of the same contracts (a day the worker's own job is not at yet) write it once each."""
    setup = make_campaign(gateway, stack, closes_on=None, contracts=2)
    set_closing(gateway, setup, in_days(7))
    for member in setup.members:
        wait_for_reminders(mailbox, member.email, 1)  # the worker's J-7 one
    ours = [m.contract_id for m in setup.members]
    j_minus_2 = paris_today() + timedelta(days=5)
    database = Database(stack.database_url, "contracts", pool_size=4)
    start, written = threading.Barrier(4), []

    def race():
        with database.session() as session:
            due = session.execute(with_campaign().where(contracts.c.id.in_(ours))).mappings().all()
            progress = fill.progress_of(session, due)
            recipients = contacts.emails_of(session, ours)
            start.wait()
            written.extend(reminders.issue(session, row, "automatic", 2, j_minus_2, progress[row["id"]],
                                           recipients[row["id"]]) for row in due)

    threads = [threading.Thread(target=race) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    database.dispose()
    assert sorted(written) == [False] * 6 + [True] * 2
    stored = rows(stack, "SELECT contract_id::text AS contract_id, offset_days FROM contracts.reminders "
                         "WHERE contract_id::text = ANY(%s)", ours)
    assert sorted((r["contract_id"], r["offset_days"]) for r in stored) == sorted(
        [(cid, 2) for cid in ours] + [(cid, 7) for cid in ours])
    for member in setup.members:
        mails = wait_for_reminders(mailbox, member.email, 2)
        assert len(mails) == 2 and "(dans 2 jours)" in mails[-1]["text"]


def test_the_ars_reminds_a_selection_by_hand_once_a_day(gateway, stack, mailbox):
    setup = make_campaign(gateway, stack, closes_on=None, contracts=2)
    reminded, closed = setup.members
    for code in GOOD_ANSWERS:
        save(gateway, closed, code)
    assert httpx.post(f"{gateway}/api/contracts/contracts/{closed.contract_id}/close",
                      headers=bearer(closed.tokens)).status_code == 200
    finess = new_finess()
    lonely = httpx.post(setup.url(gateway, "/contracts"), headers=bearer(setup.ars), json={
        "name": f"Auto-évaluation 2024 - EJ {finess}", "ej_finess": finess, "ej_raison_sociale": f"EJ {finess}"})
    assert lonely.status_code == 201  # no contact granted: nobody to remind
    lonely_id = lonely.json()["id"]
    save(gateway, reminded, "ACC01")

    answer = bulk(gateway, setup, {"action": "remind", "contract_ids": [
        reminded.contract_id, closed.contract_id, lonely_id, reminded.contract_id.upper(), NOBODY]})
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["action"] == "remind" and summary["selected"] == 4
    assert [(d["contract_id"], d["recipients"], d["fill_percentage"]) for d in summary["done"]] == [
        (reminded.contract_id, 1, 14)]
    assert {r["contract_id"]: r["code"] for r in summary["refused"]} == {
        closed.contract_id: "not_open", lonely_id: "no_contact", NOBODY: "not_found"}
    assert summary["counts"] == {"done": 1, "refused": 3, "refused_by_code": {
        "not_found": 1, "not_open": 1, "no_contact": 1}}
    assert all(r["reason"] for r in summary["refused"])

    [mail] = wait_for_reminders(mailbox, reminded.email, 1)
    assert mail["subject"] == f"e-CARS – Rappel : auto-évaluation en cours de saisie (Auto-évaluation 2024 - " \
                              f"EJ {reminded.finess})"
    for part in (mail["text"], html.unescape(mail["html"])):
        assert "L'ARS vous rappelle" in part and "14 %" in part and "Taux d'occupation" in part
        assert "ars-ecars@ars.sante.fr" in part and "04.72.34.41.26" in part
    [audited] = rows(stack, "SELECT new, by_email FROM contracts.audit WHERE contract_id = %s AND field = 'reminder'",
                     reminded.contract_id)
    assert audited == {"new": {"kind": "manual", "recipients": 1}, "by_email": setup.ars_email}

    again = bulk(gateway, setup, {"action": "remind", "filter": {"status": "AUTO-EVALUATION"}}).json()
    assert again["selected"] == 2 and again["done"] == []
    assert {r["contract_id"]: r["code"] for r in again["refused"]} == {
        reminded.contract_id: "already_reminded_today", lonely_id: "no_contact"}
    time.sleep(1)  # the relay would have published a second one by now
    assert len(reminder_mails(mailbox, reminded.email)) == 1
    assert len(rows(stack, "SELECT 1 FROM contracts.reminders WHERE contract_id = %s", reminded.contract_id)) == 1


def test_a_bulk_action_refuses_bad_input_and_other_callers_and_does_nothing(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=None)
    member = setup.members[0]
    ids = [member.contract_id]
    for body, fields in (
            ({}, {"action", "selection"}),
            ({"action": "delete", "contract_ids": ids}, {"action"}),
            ({"action": "remind"}, {"selection"}),
            ({"action": "remind", "contract_ids": ids, "filter": {}}, {"selection"}),
            ({"action": "remind", "contract_ids": []}, {"contract_ids"}),
            ({"action": "remind", "contract_ids": "all"}, {"contract_ids"}),
            ({"action": "remind", "contract_ids": ["x", 3]}, {"contract_ids"}),
            ({"action": "remind", "contract_ids": [NOBODY] * 5001}, {"contract_ids"}),
            ({"action": "remind", "filter": "all"}, {"filter"}),
            ({"action": "remind", "filter": {"page": 2}}, {"filter"}),
            ({"action": "remind", "filter": {"status": "FINI", "fill_min": 120, "departement": "XYZ"}},
             {"filter.status", "filter.fill_min", "filter.departement"}),
            ({"action": "remind", "filter": {"fill_min": 60, "fill_max": 10, "search": ["a"]}},
             {"filter.fill_max", "filter.search"}),
            ({"action": "reopen", "contract_ids": ids}, {"reason"}),
            ({"action": "reopen", "contract_ids": ids, "reason": "  "}, {"reason"}),
            ({"action": "reopen", "contract_ids": ids, "reason": "x" * 2001}, {"reason"}),
            ({"action": "extend", "contract_ids": ids, "reason": "x"}, {"closes_on"}),
            ({"action": "extend", "contract_ids": ids, "reason": "x", "closes_on": "31/12/2030"}, {"closes_on"}),
            ({"action": "extend", "contract_ids": ids, "reason": "x", "closes_on": in_days(-1)}, {"closes_on"})):
        answer = bulk(gateway, setup, body)
        assert answer.status_code == 422, body
        error = answer.json()["error"]
        assert error["code"] == "validation_failed" and set(error["details"]) == fields, (body, error)
    not_json = httpx.post(setup.url(gateway, "/bulk"), content=b"{",
                          headers={**bearer(setup.ars), "Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "invalid_json"
    good = {"action": "remind", "contract_ids": ids}
    assert bulk(gateway, setup, good, member.tokens).status_code == 403
    stranger_email, _ = active_user(stack, role="ars", region="Normandie")
    assert bulk(gateway, setup, good, sign_in(gateway, stranger_email)).status_code == 404
    unknown = httpx.post(f"{gateway}/api/contracts/campaigns/{NOBODY}/bulk", headers=bearer(setup.ars), json=good)
    assert unknown.status_code == 404
    assert rows(stack, "SELECT 1 FROM contracts.reminders WHERE contract_id = %s", member.contract_id) == []
    assert rows(stack, "SELECT 1 FROM contracts.audit WHERE contract_id = %s", member.contract_id) == []
    # a contract of another campaign of the same ARS is not in this one
    other = add_contract(gateway, stack, make_campaign(gateway, stack, closes_on=None, contracts=0))
    answer = bulk(gateway, setup, {"action": "remind", "contract_ids": [other.contract_id]}).json()
    assert answer["done"] == [] and answer["refused"][0]["code"] == "not_found"
