"""Bulk actions on a campaign (issue 17 §3): accept the closed contracts, reopen with a reason, extend the deadline —
chosen by id or by filter, each done once per contract, audited, with a summary of what was done and what was
refused and why. Reminding by hand and bad input: test_campaign_reminders.py."""

import httpx

from tests.e2e.test_campaign_calendar import wait_for_status
from tests.support.campaigns import contract, in_days, make_campaign
from tests.support.db import rows
from tests.support.identity import bearer


def bulk(gateway, setup, body):
    answer = httpx.post(setup.url(gateway, "/bulk"), headers=bearer(setup.ars), json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def outcome(summary) -> dict:
    return {**{d["contract_id"]: "done" for d in summary["done"]},
            **{r["contract_id"]: r["code"] for r in summary["refused"]}}


def test_accept_reopen_and_extend_in_bulk_each_once_per_contract(gateway, stack, mailbox):
    setup = make_campaign(gateway, stack, closes_on=in_days(-1), contracts=3)
    a, b, c = setup.members
    for member in setup.members:
        wait_for_status(gateway, member.tokens, member.contract_id, "CONSULTATION")

    accepted = bulk(gateway, setup, {"action": "accept", "contract_ids": [a.contract_id, b.contract_id]})
    assert outcome(accepted) == {a.contract_id: "done", b.contract_id: "done"}
    assert accepted["done"][0]["review"] == "ACCEPTE"
    again = bulk(gateway, setup, {"action": "accept", "filter": {"status": "CONSULTATION"}})
    assert again["selected"] == 3
    assert outcome(again) == {a.contract_id: "already_accepted", b.contract_id: "already_accepted",
                              c.contract_id: "done"}
    assert [r["reason"] for r in again["refused"]] == ["Déjà acceptée."] * 2
    for member in setup.members:
        assert len(rows(stack, "SELECT 1 FROM contracts.audit WHERE contract_id = %s AND field = 'review'",
                        member.contract_id)) == 1

    extended = bulk(gateway, setup, {"action": "extend", "contract_ids": [c.contract_id], "closes_on": in_days(6),
                                     "reason": "Inondation des locaux"})
    assert outcome(extended) == {c.contract_id: "done"}
    assert extended["done"][0]["reopened"] is True and extended["done"][0]["closes_on"] == in_days(6)
    view = contract(gateway, c.tokens, c.contract_id)
    assert view["status"] == "AUTO-EVALUATION" and view["calendar"]["label"] == "Clôture dans 6 jours"
    [mail] = [m for m in mailbox.wait_for(c.email, count=2) if "prolongé" in m["subject"]]
    assert "Inondation des locaux" in mail["text"]
    twice = bulk(gateway, setup, {"action": "extend", "contract_ids": [c.contract_id], "closes_on": in_days(6),
                                  "reason": "Inondation des locaux"})
    assert outcome(twice) == {c.contract_id: "not_later"}
    assert "date de clôture actuelle" in twice["refused"][0]["reason"]

    reopened = bulk(gateway, setup, {"action": "reopen", "contract_ids": [a.contract_id, c.contract_id],
                                     "reason": "Pièces justificatives manquantes"})
    assert outcome(reopened) == {a.contract_id: "done", c.contract_id: "not_closed"}
    assert contract(gateway, a.tokens, a.contract_id)["status"] == "AUTO-EVALUATION"
    assert contract(gateway, b.tokens, b.contract_id)["status"] == "CONSULTATION"  # never selected
    [audited] = rows(stack, "SELECT reason, by_email FROM contracts.audit WHERE contract_id = %s AND field = 'status' "
                            "AND by_email IS NOT NULL", a.contract_id)
    assert audited == {"reason": "Pièces justificatives manquantes", "by_email": setup.ars_email}
    events = rows(stack, "SELECT type FROM contracts.outbox WHERE envelope->'data'->>'contract_id' = %s "
                         "AND type IN ('contracts.evaluation.reopened', 'contracts.deadline.extended')", c.contract_id)
    assert [e["type"] for e in events] == ["contracts.deadline.extended"]  # the refusals published nothing


def test_a_refusal_undoes_nothing_of_the_others(gateway, stack):
    """Each contract in its own savepoint: the extension refused for a contract the establishment closed itself
    leaves the other contract's extension done and stored."""
    setup = make_campaign(gateway, stack, closes_on=in_days(-1), contracts=2)
    for member in setup.members:
        wait_for_status(gateway, member.tokens, member.contract_id, "CONSULTATION")
    first, second = setup.members
    summary = bulk(gateway, setup, {"action": "extend", "filter": {"search": first.finess}, "closes_on": in_days(3),
                                    "reason": "Retard"})
    assert outcome(summary) == {first.contract_id: "done"}
    summary = bulk(gateway, setup, {"action": "extend", "filter": {}, "closes_on": in_days(3), "reason": "Retard"})
    assert outcome(summary) == {first.contract_id: "not_later", second.contract_id: "done"}
    assert contract(gateway, second.tokens, second.contract_id)["calendar"]["closes_on"] == in_days(3)
    assert len(rows(stack, "SELECT 1 FROM contracts.audit WHERE contract_id = %s AND field = 'closes_on'",
                    first.contract_id)) == 1
