"""« Historique du contrat » (issue 18: the messages « shown in the contract's history »; docs/self-evaluation.md):
every change of the contract, newest first, a page at a time, through the API and the web page — the messages
exchanged (never a private note), an indicator's answers with its question's label, the ARS's « À suivre » notes for
the ARS only (nor on the indicator's page nor in what « EDITER LES DONNEES » prints from, for the établissement),
nothing of an indicator hidden from the reader; and the bad input: a page link that is not one, a contract the
caller may not see."""

import httpx
import pytest

from tests.support.contracts import make_contract, save
from tests.support.db import connect
from tests.support.identity import active_user, bearer, sign_in
from tests.support.web import web_client


@pytest.fixture(scope="module")
def setup(gateway, stack):
    setup = make_contract(gateway, stack)
    assert save(gateway, setup, "ACC01", {"REALISE": 42}).status_code == 200
    messages = setup.url(gateway, "/messages")
    asked = httpx.post(messages, headers=bearer(setup.member), json={"text": "Faut-il joindre le bilan ?"})
    note = httpx.post(messages, headers=bearer(setup.ars), json={"text": "Note interne", "private": True})
    answered = httpx.post(messages, headers=bearer(setup.ars), json={"text": "Oui, merci."})
    assert {asked.status_code, note.status_code, answered.status_code} == {201}
    flagged = httpx.put(setup.url(gateway, "/indicators/ACC01/flag"), headers=bearer(setup.ars),
                        json={"note": "Écart à vérifier avec l'ARS"})
    assert flagged.status_code == 200, flagged.text
    setup.message_ids = (asked.json()["id"], answered.json()["id"])
    return setup


def history(gateway, setup, tokens, **params) -> httpx.Response:
    return httpx.get(setup.url(gateway, "/history"), headers=bearer(tokens), params=params)


def test_the_history_lists_answers_and_messages_newest_first_and_the_flag_to_the_ars_only(gateway, setup):
    seen = history(gateway, setup, setup.member)
    assert seen.status_code == 200, seen.text
    items = seen.json()["items"]
    assert seen.json()["next_before"] is None
    assert [(i["field"], i["indicator_code"]) for i in items] == [
        ("message", None), ("message", None), ("REALISE", "ACC01")]  # the note is not there, nor the flag
    assert [i["new"]["message_id"] for i in items[:2]] == list(reversed(setup.message_ids))
    assert [(i["by"], i["new"]["side"]) for i in items[:2]] == [(setup.ars_email, "autorite"),
                                                              (setup.member_email, "etablissement")]
    answer = items[2]
    assert (answer["label"], answer["indicator_label"], answer["old"], answer["new"]) == (
        "Réalisé", "Nombre de personnes accompagnées", None, 42)
    assert [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)

    ars = history(gateway, setup, setup.ars).json()["items"]
    assert [(i["field"], i["label"], i["new"]) for i in ars if i["field"] == "flag"] == [
        ("flag", "À suivre", "Écart à vérifier avec l'ARS")]


def test_the_ars_flag_note_is_never_shown_to_the_etablissement(gateway, setup):
    """Found with the history page: the indicator's own history and the contract's export (JSON) listed the ARS's
    note to the établissement."""
    mine = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.member)).json()
    assert [row["field"] for row in mine["audit"]] == ["REALISE"]
    theirs = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.ars)).json()
    assert [row["field"] for row in theirs["audit"]] == ["flag", "REALISE"]
    for tokens, fields in ((setup.member, ["REALISE"]), (setup.ars, ["flag", "REALISE"])):
        # what « EDITER LES DONNEES » is made from (the reporting service reads it with the caller's token)
        whole = httpx.get(setup.url(gateway, "/export"), headers=bearer(tokens))
        assert whole.status_code == 200, whole.text
        [acc01] = [i for i in whole.json()["indicators"] if i["code"] == "ACC01"]
        assert [row["field"] for row in acc01["audit"]] == fields


def test_pages_of_fifty_and_nothing_of_an_indicator_hidden_from_the_reader(gateway, stack, setup):
    other_email, other_id = active_user(stack)
    hidden = httpx.put(setup.url(gateway, "/restrictions/PIL01"), headers=bearer(setup.ars),
                       json={"user_ids": [other_id], "roles": ["ars"], "hidden": True})
    assert hidden.status_code == 200, hidden.text
    with connect(stack) as conn:  # 60 older changes of the contract, as the service writes them
        conn.execute("INSERT INTO contracts.audit (contract_id, indicator_code, field, old, new, by_email, at) "
                     "SELECT %s, CASE WHEN n %% 2 = 0 THEN 'PIL01' ELSE 'SOI01' END, 'REALISE', NULL, to_jsonb(n), "
                     "%s, now() - interval '1 day' + n * interval '1 second' FROM generate_series(1, 60) AS n",
                     (setup.contract_id, other_email))
        newest = conn.execute("SELECT min(id) AS id FROM contracts.audit WHERE contract_id = %s AND field = 'message'",
                              (setup.contract_id,)).fetchone()["id"]
    ars_first = history(gateway, setup, setup.ars).json()
    assert len(ars_first["items"]) == 50 and ars_first["next_before"] == ars_first["items"][-1]["id"]
    ars_all = ars_first["items"] + history(gateway, setup, setup.ars, before=ars_first["next_before"]).json()["items"]
    assert len(ars_all) == 60 + 4 and len({i["id"] for i in ars_all}) == 64
    member = history(gateway, setup, setup.member).json()
    member_all = member["items"]
    assert member["next_before"] is None
    assert {i["indicator_code"] for i in member_all} == {None, "ACC01", "SOI01"}  # PIL01 hidden from the member
    assert len(member_all) == 30 + 3
    older = history(gateway, setup, setup.member, before=newest).json()["items"]
    assert all(i["id"] < newest for i in older) and older[0]["field"] == "REALISE"


@pytest.mark.parametrize("before", ["abc", "0", "-3", "٣", "1.5", "9" * 30])
def test_a_page_link_that_is_not_one_is_refused(gateway, setup, before):
    refused = history(gateway, setup, setup.member, before=before)
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert set(error) == {"code", "message", "details"} and error["details"] == {"before": "entier ≥ 1"}


def test_a_stranger_or_another_region_finds_no_contract(gateway, stack, setup):
    for role, region in (("etablissement", "Bretagne"), ("ars", "Occitanie")):
        tokens = sign_in(gateway, active_user(stack, role=role, region=region)[0])
        answer = history(gateway, setup, tokens)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_the_history_page_links_each_message_to_the_thread(gateway, setup):
    with web_client(gateway, setup.member_email) as browser:
        contract = browser.get(f"/contrats/{setup.contract_id}")
        assert f'href="/contrats/{setup.contract_id}/historique"' in contract.text
        page = browser.get(f"/contrats/{setup.contract_id}/historique")
        assert page.status_code == 200, page.text[:500]
        assert "Historique du contrat" in page.text and "Message de l&#39;autorité" in page.text
        for message_id in setup.message_ids:
            assert f'href="/contrats/{setup.contract_id}/messages#message-{message_id}"' in page.text
        assert "Nombre de personnes accompagnées – Réalisé" in page.text and "Écart à vérifier" not in page.text
        bad = browser.get(f"/contrats/{setup.contract_id}/historique", params={"avant": "abc"})
        assert bad.status_code == 400 and "Lien de page invalide" in bad.text
        assert "Message de l&#39;autorité" in bad.text  # the newest changes shown instead


def test_the_indicators_history_names_each_field_as_the_contracts_history_does(gateway, setup):
    """One rule for a field's name (contracts audit.field_label): the indicator's page named only the questions, the
    comment, the status, the review and who fills it — the ARS's « À suivre » row showed as « flag »."""
    theirs = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.ars)).json()
    assert [(row["field"], row["label"]) for row in theirs["audit"]] == [("flag", "À suivre"), ("REALISE", "Réalisé")]
    contract, before = [], {}
    while before is not None:  # every page: the tests above added more than a page of changes
        seen = history(gateway, setup, setup.ars, **before).json()
        contract += seen["items"]
        before = {"before": seen["next_before"]} if seen["next_before"] else None
    assert {(i["field"], i["label"]) for i in contract if i["indicator_code"] == "ACC01"} == {
        ("flag", "À suivre"), ("REALISE", "Réalisé")}
    with web_client(gateway, setup.ars_email) as browser:
        page = browser.get(f"/contrats/{setup.contract_id}/indicateurs/ACC01")
        assert page.status_code == 200, page.text[:500]
        assert "<td>À suivre</td>" in page.text and "<td>flag</td>" not in page.text
