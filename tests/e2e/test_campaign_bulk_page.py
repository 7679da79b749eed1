"""« Actions groupées » on the campaign's page (issue 17 §3 in the web UI, without JavaScript): a labelled checkbox
per contract, « Tout sélectionner sur cette page », « Appliquer aux contrats du filtre »; relancer, accepter,
rouvrir or prolonger with a reason; then the summary of what was done and what was refused and why. Bad input is
named in French beside its field, with what was ticked and typed kept."""

import re

import httpx
import pytest

from tests.support.campaigns import contract, in_days, make_campaign
from tests.support.db import rows
from tests.support.identity import web_session
from tests.support.web import csrf_of


@pytest.fixture(scope="module")
def setup(gateway, stack):
    return make_campaign(gateway, stack, closes_on=in_days(10), contracts=3)


@pytest.fixture()
def browser(gateway, setup):
    client = web_session(gateway, setup.ars_email)
    yield client
    client.close()


def send(browser: httpx.Client, setup, query: str = "", **fields) -> httpx.Response:
    page = browser.get(f"/campagnes/{setup.campaign_id}" + (f"?{query}" if query else ""))
    assert page.status_code == 200, page.text
    return browser.post(f"/campagnes/{setup.campaign_id}/actions-groupees" + (f"?{query}" if query else ""),
                        data={"csrf_token": csrf_of(page.text), **fields})


def checked(html: str, contract_id: str) -> bool:
    box = re.search(rf'<input type="checkbox" id="choix-{contract_id}"[^>]*>', html)
    assert box, f"no checkbox for {contract_id}"
    return " checked" in box.group(0)


def summary_of(browser: httpx.Client, answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text[:500]
    page = browser.get(answer.headers["location"])
    assert page.status_code == 200
    return page.text


def test_each_row_has_a_labelled_checkbox_and_the_form_offers_the_three_selections(browser, setup):
    page = browser.get(f"/campagnes/{setup.campaign_id}")
    first = setup.members[0]
    assert re.search(rf'<label class="fr-label" for="choix-{first.contract_id}"><span class="fr-sr-only">'
                     rf'Sélectionner « Auto-évaluation 2024 - EJ {first.finess} » \(EJ {first.finess}\)</span>',
                     page.text)
    for label in ("Les contrats cochés dans le tableau", "Tout sélectionner sur cette page (3 contrat(s))",
                  "Appliquer aux contrats du filtre (3 contrat(s) : toute la campagne)", "Relancer",
                  "Accepter (contrats clos)", "Rouvrir la saisie", "Prolonger la date de clôture"):
        assert label in page.text, label


def test_bad_input_is_named_in_french_and_the_selection_is_kept(browser, setup):
    nothing = send(browser, setup, action="remind")
    assert nothing.status_code == 422 and "Cochez au moins un contrat" in nothing.text
    a, b, _ = setup.members
    no_reason = send(browser, setup, contract_id=[a.contract_id, b.contract_id], action="reopen")
    assert no_reason.status_code == 422 and "Indiquez le motif" in no_reason.text
    assert checked(no_reason.text, a.contract_id) and checked(no_reason.text, b.contract_id)
    assert 'id="action-reopen" name="action" value="reopen" checked' in no_reason.text
    past = send(browser, setup, contract_id=a.contract_id, action="extend", reason="Travaux",
                closes_on=in_days(-1))
    assert past.status_code == 422 and "La nouvelle date de clôture ne peut pas être passée." in past.text
    assert ">Travaux</textarea>" in past.text and checked(past.text, a.contract_id)
    no_action = send(browser, setup, scope="filter")
    assert no_action.status_code == 422 and "Choisissez l&#39;action à appliquer." in no_action.text
    assert 'id="scope-filter" name="scope" value="filter" checked' in no_action.text


def test_remind_the_ticked_then_the_filter_and_the_summary_says_what_was_refused(gateway, browser, setup, stack,
                                                                                   mailbox):
    a, b, c = setup.members
    text = summary_of(browser, send(browser, setup, contract_id=[a.contract_id, b.contract_id], action="remind"))
    assert "Bilan de l'action groupée : Relancer" in text
    assert "2 contrat(s) sélectionné(s) : 2 traité(s), 0 refusé(s)." in text
    assert f"EJ {a.finess}" in text and "Relancé (1 destinataire(s))" in text
    for member in (a, b):
        assert len(rows(stack, "SELECT 1 FROM contracts.reminders WHERE contract_id = %s AND kind = 'manual'",
                        member.contract_id)) == 1
    assert rows(stack, "SELECT 1 FROM contracts.reminders WHERE contract_id = %s AND kind = 'manual'",
                c.contract_id) == []
    mailbox.wait_for(a.email)

    # the filter in force (a search on a's FINESS) is the page's address, kept by the form
    text = summary_of(browser, send(browser, setup, query=f"search={a.finess}", scope="filter", action="remind"))
    assert "1 contrat(s) sélectionné(s) : 0 traité(s), 1 refusé(s)." in text
    assert "Déjà relancé aujourd&#39;hui." in text or "Déjà relancé aujourd'hui." in text
    assert f'href="/campagnes/{setup.campaign_id}?search={a.finess}' in text  # back to the filtered table


def test_extend_every_contract_of_the_page_with_a_reason(browser, setup, gateway):
    page = browser.get(f"/campagnes/{setup.campaign_id}")
    ids = re.findall(r'name="page_contract_id" value="([0-9a-f-]{36})"', page.text)
    assert sorted(ids) == sorted(m.contract_id for m in setup.members)
    answer = browser.post(f"/campagnes/{setup.campaign_id}/actions-groupees", data={
        "csrf_token": csrf_of(page.text), "scope": "page", "page_contract_id": ids, "action": "extend",
        "reason": "Inondation des locaux", "closes_on": in_days(20)})
    text = summary_of(browser, answer)
    assert "3 contrat(s) sélectionné(s) : 3 traité(s), 0 refusé(s)." in text
    for member in setup.members:
        assert contract(gateway, member.tokens, member.contract_id)["calendar"]["label"] == "Clôture dans 20 jours"
    again = summary_of(browser, browser.post(f"/campagnes/{setup.campaign_id}/actions-groupees", data={
        "csrf_token": csrf_of(page.text), "scope": "page", "page_contract_id": ids, "action": "extend",
        "reason": "Inondation des locaux", "closes_on": in_days(20)}))
    assert "0 traité(s), 3 refusé(s)." in again and "date de clôture actuelle" in again
