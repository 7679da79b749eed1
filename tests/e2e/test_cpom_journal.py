"""« Journal du CPOM » (issue 18: the CPOM's messages « shown in the history »; docs/cpom.md): the authorities' list
of every action on a CPOM, newest first, each named and summed up in French by the cpom service (never its codes),
the messages and private notes linked to their place in « Messages »; the page and its link for the authorities
only, a made-up CPOM « introuvable »."""

import time

import httpx
import pytest

from tests.support import cpom as cpom_support
from tests.support.contracts import grant_ej
from tests.support.cpom import api
from tests.support.identity import active_user, bearer, sign_in
from tests.support.web import web_client


@pytest.fixture(scope="module")
def setup(gateway, stack):
    ars = cpom_support.user(stack, gateway, role="ars", region="Bretagne")
    org = cpom_support.organisation(gateway, ars)
    cpom = cpom_support.create_cpom(gateway, ars, org)
    email, _ = active_user(stack)
    grant_ej(gateway, ars.tokens, org["finess"], email)
    assert httpx.post(api(gateway, f"/cpoms/{cpom['id']}/statut"), headers=ars.headers,
                      json={"statut": "lancement", "motif": "Réunion de lancement fixée"}).status_code == 200
    url = api(gateway, f"/cpoms/{cpom['id']}/messages")
    note = httpx.post(url, headers=ars.headers, json={"text": "Relancer en juin.", "private": True})
    sent = httpx.post(url, headers=ars.headers, json={"text": "Le diagnostic est attendu."})
    assert note.status_code == sent.status_code == 201
    return {"ars": ars, "cpom": cpom, "org": org, "gestionnaire": email, "sent": sent.json()["id"],
            "note": note.json()["id"]}


def test_the_journal_names_and_sums_up_each_action_in_french(gateway, setup):
    answer = httpx.get(api(gateway, f"/cpoms/{setup['cpom']['id']}/journal"), headers=setup["ars"].headers)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [(i["action"], i["libelle"]) for i in items] == [
        ("message.sent", "Message"), ("message.note", "Note privée"), ("cpom.status_changed", "Changement de statut"),
        ("cpom.created", "Création du CPOM")]
    assert items[2]["resume"] == "1 Préparation → 2 Lancement – motif : Réunion de lancement fixée"
    assert items[3]["resume"] == f"{setup['cpom']['nom']} (EJ {setup['org']['finess']})"
    assert items[0]["details"]["message_id"] == setup["sent"] and items[0]["par"] == setup["ars"].email


def test_the_journal_page_links_each_message_and_note_for_the_authorities(gateway, setup):
    cpom_id = setup["cpom"]["id"]
    with web_client(gateway, setup["ars"].email) as browser:
        sheet = browser.get(f"/cpom/{cpom_id}")
        assert f'href="/cpom/{cpom_id}/journal"' in sheet.text
        page = browser.get(f"/cpom/{cpom_id}/journal")
        assert page.status_code == 200, page.text[:500]
        assert f"Journal du CPOM « {setup['cpom']['nom']} »" in page.text
        for message_id, label in ((setup["sent"], "Message"), (setup["note"], "Note privée")):
            assert f'<a class="fr-link" href="/cpom/{cpom_id}/messages#message-{message_id}">{label}</a>' in page.text
        assert "Changement de statut" in page.text and f"{setup['ars'].email} (ARS)" in page.text
        assert "cpom.status_changed" not in page.text and "message.sent" not in page.text  # never the codes


def test_the_gestionnaire_has_no_journal(gateway, stack, setup):
    cpom_id = setup["cpom"]["id"]
    with web_client(gateway, setup["gestionnaire"]) as browser:
        deadline = time.monotonic() + 15
        while (sheet := browser.get(f"/cpom/{cpom_id}")).status_code != 200:  # cpom learns of the habilitation
            assert time.monotonic() < deadline, "cpom never learnt of the habilitation"
            time.sleep(0.2)
        assert f'href="/cpom/{cpom_id}/journal"' not in sheet.text
        page = browser.get(f"/cpom/{cpom_id}/journal")
        assert page.status_code == 403 and "Le journal du CPOM est réservé aux autorités." in page.text
        assert "Relancer en juin." not in page.text
    gestionnaire = bearer(sign_in(gateway, setup["gestionnaire"]))
    refused = httpx.get(api(gateway, f"/cpoms/{cpom_id}/journal"), headers=gestionnaire)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["message"] == "Le journal du CPOM est réservé aux autorités."
