"""« Messages » in a browser (issue 18, docs/messaging.md), axe on every page: the établissement user opens the
contract's « Messages », is told in French beside the field what is wrong (an empty message, a forbidden attachment
format: what was typed kept), sends a message with its pièce jointe; the ARS answers and keeps a private note, which
the établissement user never sees on the page; the CPOM's « Messages » alike, and the ARS goes from the CPOM's
« Journal » to a message."""

import re

import httpx
from playwright.sync_api import Page, expect

from tests.browser.test_contracts_journey import control, error_of, log_in
from tests.support import cpom as cpom_support
from tests.support.contracts import grant_ej, make_contract
from tests.support.identity import active_user


def open_messages(page: Page, page_path: str) -> None:
    page.goto(page_path)
    page.get_by_role("link", name="Messages", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Messages")


def send(page: Page, expected_status: int = 303) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/messages")) as sent:
        page.get_by_role("button", name="Envoyer").click()
    assert sent.value.status == expected_status


def test_a_contract_thread_in_the_browser_with_the_ars_private_note_never_shown_to_the_ej(page: Page, browser,
                                                                                         gateway, stack):
    setup = make_contract(gateway, stack)
    log_in(page, setup.member_email)
    open_messages(page, f"/contrats/{setup.contract_id}")
    expect(page.locator("#aucun-message")).to_have_text("Aucun message pour le moment.")
    expect(page.get_by_label("Note privée")).to_have_count(0)  # the EJ has no private notes

    send(page, 422)  # empty
    expect(error_of(page, "texte")).to_have_text("Le message est vide : écrivez votre message avant de l'envoyer.")

    control(page, "Votre message").fill("Bonjour, voici notre bilan.")
    page.locator("#piece_jointe").set_input_files(files=[{"name": "outil.exe", "mimeType": "application/octet-stream",
                                                          "buffer": b"MZ\x90\x00"}])
    send(page, 422)
    expect(error_of(page, "piece_jointe")).to_contain_text("Le format « .exe » n'est pas accepté")
    expect(error_of(page, "piece_jointe")).to_contain_text("Le message n'a pas été envoyé.")
    expect(control(page, "Votre message")).to_have_value("Bonjour, voici notre bilan.")  # nothing typed is lost
    expect(page.locator("#aucun-message")).to_be_visible()

    page.locator("#piece_jointe").set_input_files(files=[{"name": "bilan.txt", "mimeType": "text/plain",
                                                          "buffer": b"Bilan 2023\n"}])
    send(page)
    expect(page.locator(".fr-alert--success").first).to_contain_text("Votre message est envoyé.")
    first = page.locator("#fil-messages > li").first
    expect(first).to_contain_text("Bonjour, voici notre bilan.")
    expect(first).to_contain_text("(établissement)")
    expect(first.get_by_role("link", name="bilan.txt")).to_be_visible()

    # the ARS, in its own browser: answers and keeps a private note
    ars_context = browser.new_context(locale="fr-FR", base_url=gateway)
    ars = ars_context.new_page()
    log_in(ars, setup.ars_email)
    open_messages(ars, f"/contrats/{setup.contract_id}")
    expect(ars.locator("#fil-messages > li")).to_have_count(1)
    control(ars, "Votre message").fill("Pièce à compléter : bilan 2022 déjà reçu ?")
    ars.locator("label[for=note_privee]").click()  # the DSFR label covers its box, as a person clicks it
    expect(ars.get_by_label("Note privée")).to_be_checked()
    send(ars)
    expect(ars.locator(".fr-alert--success").first).to_contain_text("Votre note privée est enregistrée.")
    control(ars, "Votre message").fill("Merci, bien reçu.")
    send(ars)
    expect(ars.locator("#fil-messages > li")).to_have_count(3)
    expect(ars.locator("#fil-messages > li[data-private]")).to_contain_text("Note privée, visible par l'autorité seule")

    page.reload()
    expect(page.locator("#fil-messages > li")).to_have_count(2)
    expect(page.locator("#fil-messages")).to_contain_text("Merci, bien reçu.")
    expect(page.locator("#fil-messages")).not_to_contain_text("bilan 2022")
    assert "bilan 2022" not in page.content()
    expect(page.locator("#fil-messages > li").nth(1)).to_contain_text("(autorité)")

    # « Historique » of the contract: the two messages exchanged (never the note), each linked to its place
    page.goto(f"/contrats/{setup.contract_id}")
    page.get_by_role("link", name="Historique", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Historique du contrat")
    rows = page.locator("#historique-contrat tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Message de l'autorité")
    expect(rows.nth(1)).to_contain_text("Message de l'établissement")
    rows.nth(1).get_by_role("link", name="Message de l'établissement").click()
    expect(page.locator("#fil-messages > li").first).to_contain_text("Bonjour, voici notre bilan.")


def test_the_cpom_messages_from_the_cpom_page(page: Page, gateway, stack):
    ars = cpom_support.user(stack, gateway, role="ars", region="Bretagne")
    org = cpom_support.organisation(gateway, ars)
    cpom_id = cpom_support.create_cpom(gateway, ars, org)["id"]
    email, _ = active_user(stack)
    grant_ej(gateway, ars.tokens, org["finess"], email)
    log_in(page, email)
    page.goto(f"/cpom/{cpom_id}")
    for _ in range(50):  # until cpom's projection learnt of the habilitation
        if page.get_by_role("link", name="Messages", exact=True).count():
            break
        page.wait_for_timeout(200)
        page.reload()
    open_messages(page, f"/cpom/{cpom_id}")
    expect(page.locator("h1")).to_have_text(re.compile(r"^Messages du CPOM « CPOM TEST"))
    control(page, "Votre message").fill("x" * 10)
    send(page)
    expect(page.locator("#fil-messages > li")).to_have_count(1)


def test_the_ars_reads_the_cpom_journal_and_goes_to_a_message(page: Page, gateway, stack):
    """« Journal du CPOM » from the CPOM's page (axe on both pages and the thread)."""
    ars = cpom_support.user(stack, gateway, role="ars", region="Bretagne")
    org = cpom_support.organisation(gateway, ars)
    cpom_id = cpom_support.create_cpom(gateway, ars, org)["id"]
    sent = httpx.post(f"{gateway}/api/cpom/cpoms/{cpom_id}/messages", headers=ars.headers,
                      json={"text": "Le diagnostic est attendu."})
    assert sent.status_code == 201, sent.text
    log_in(page, ars.email)
    page.goto(f"/cpom/{cpom_id}")
    page.get_by_role("link", name="Journal", exact=True).click()
    expect(page.locator("h1")).to_have_text(re.compile(r"^Journal du CPOM « CPOM TEST"))
    rows = page.locator("#journal-cpom tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Création du CPOM")
    rows.first.get_by_role("link", name="Message").click()
    expect(page.locator("#fil-messages > li").first).to_contain_text("Le diagnostic est attendu.")
