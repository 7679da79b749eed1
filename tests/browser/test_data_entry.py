"""Entering data like on the best platforms (issue 18 items 1, 2, 5; docs/data-entry.md) in a browser, axe-core on
every page visited (the `page` fixture): what is typed is kept as a draft as the person types, over a browser
restart and a session's end, and offered back; without the script, « Enregistrer le brouillon »; last campaign's
value beside the field, the « écart toléré » asking for a comment, « Reprendre les réponses de 2022 »; the ARS's
« À suivre » on the indicator and on the campaign's page."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.support.data_entry import make_entry_contract
from tests.support.db import rows
from tests.support.identity import PASSWORD
from tests.support.web_sessions import age, cookie_of

IDLE = 1800


def log_in(page: Page, email: str, then: str | None = None) -> None:
    page.goto("/connexion" + (f"?suivant={then}" if then else ""))
    page.get_by_label(re.compile(r"^Adresse email")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def drafts_of(stack, setup, code: str) -> list[dict]:
    return rows(stack, "SELECT answers, comment FROM contracts.indicator_drafts WHERE contract_id = %s "
                "AND indicator_code = %s", setup.contract_id, code)


@pytest.fixture
def setup(gateway, stack):
    return make_entry_contract(gateway, stack)


def test_typing_is_kept_as_a_draft_over_a_browser_restart_and_offered_back(page: Page, browser, gateway, stack,
                                                                           setup):
    here = f"/contrats/{setup.contract_id}/indicateurs/ACC01"
    log_in(page, setup.member_email, here)
    expect(page).to_have_url(re.compile(here + "$"))
    field = page.get_by_label(re.compile(r"^Réalisé"))
    expect(page.locator("label[for='question-REALISE']")).to_contain_text(  # beside the field, in its label
        "Campagne 2022 : 48 (écart toléré : 10 % ; au-delà, un commentaire est obligatoire).")
    expect(page.get_by_role("button", name="Enregistrer le brouillon")).to_be_hidden()  # the script saves as one types
    field.fill("60")
    status = page.locator("#brouillon-etat")
    expect(status).to_have_text(re.compile(r"^Brouillon enregistré à \d{2}h\d{2}$"))
    expect(page.locator(".ecars-indicator-form")).to_have_attribute("data-dot", "ROUGE")  # never validated by it
    assert drafts_of(stack, setup, "ACC01") == [{"answers": {"REALISE": "60"}, "comment": ""}]

    # another browser (nothing kept in it: as after a restart), signed in again, is offered the draft
    again = browser.new_context(locale="fr-FR", base_url=gateway).new_page()
    log_in(again, setup.member_email, here)
    offer = again.locator("#brouillon-propose")
    expect(offer).to_contain_text("Un brouillon non enregistré vous attend")
    expect(again.get_by_label(re.compile(r"^Réalisé"))).to_have_value("")  # the page shows what is saved
    again.get_by_role("link", name=re.compile(r"^Reprendre le brouillon du \d\d.\d\d.\d{4} à \d{2}h\d{2}$")).click()
    expect(again.locator("#brouillon-repris")).to_contain_text("Il n'est pas encore validé")
    expect(again.get_by_label(re.compile(r"^Réalisé"))).to_have_value("60")

    # « Enregistrer »: 60 is more than 10 % from 48, a comment is asked (not a refusal of the value)
    again.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(again.locator("#commentaire-erreur")).to_contain_text("s'écarte de plus de 10 % de la valeur de la "
                                                                  "campagne précédente (48)")
    expect(again.get_by_label(re.compile(r"^Réalisé"))).to_have_value("60")
    again.get_by_label(re.compile(r"^Commentaire évalué 2023")).fill("Ouverture d'une unité.")
    again.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(again.locator(".fr-alert--success")).to_contain_text("est enregistré (pastille verte")
    expect(again.locator("#brouillon-propose")).to_have_count(0)
    assert drafts_of(stack, setup, "ACC01") == []


def test_the_ecart_tolere_is_said_beside_the_field_as_one_types(page: Page, stack, setup):
    """The same rule as on « Enregistrer » (10 % of 48 here), said in the field's live region as a warning."""
    here = f"/contrats/{setup.contract_id}/indicateurs/ACC01"
    log_in(page, setup.member_email, here)
    field = page.get_by_label(re.compile(r"^Réalisé"))
    warning = page.locator("#question-REALISE-ecart")
    expect(warning).to_have_attribute("aria-live", "polite")
    field.fill("60")
    expect(warning).to_have_text("Écart de plus de 10 % avec la campagne 2022 (48) : expliquez-le dans le "
                                 "commentaire, il sera demandé à l'enregistrement.")
    expect(field).to_have_attribute("aria-describedby", re.compile(r"\bquestion-REALISE-ecart\b"))
    for within in ("52,8", "43,2", "48"):  # at the bound, either side: no warning (|Δ| ≤ 4,8)
        field.fill(within)
        expect(warning).to_have_text("")
    field.fill("52,81")
    expect(warning).to_contain_text("Écart de plus de 10 %")
    field.fill("pas un nombre")
    expect(warning).to_have_text("")  # the value's own rule answers it on « Enregistrer »


def test_a_draft_typed_when_the_session_ends_is_kept_and_put_back_after_signing_in(page: Page, gateway, stack, setup):
    here = f"/contrats/{setup.contract_id}/indicateurs/PAR01"
    log_in(page, setup.member_email, here)
    text = page.get_by_label(re.compile(r"^Réalisé"))
    text.fill("Ateliers numériques")
    expect(page.locator("#brouillon-etat")).to_have_text(re.compile(r"^Brouillon enregistré à"))
    age(stack, cookie_of(page.context, gateway)["value"], idle_seconds=IDLE + 1)
    text.fill("Ateliers numériques et jardin partagé")
    expect(page.locator("#brouillon-etat")).to_contain_text("Enregistrement impossible, vos données sont conservées")
    expect(text).to_have_value("Ateliers numériques et jardin partagé")  # nothing typed is lost

    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page).to_have_url(re.compile(r"/connexion\?suivant="))
    page.get_by_label(re.compile(r"^Adresse email")).fill(setup.member_email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(here + "$"))
    expect(page.locator("[data-kept-form]")).to_contain_text("Votre saisie a été conservée")
    expect(page.get_by_label(re.compile(r"^Réalisé"))).to_have_value("Ateliers numériques et jardin partagé")
    expect(page.locator("#brouillon-propose")).to_be_hidden()
    expect(page.locator("#brouillon-etat")).to_have_text(re.compile(r"^Brouillon enregistré à"))
    assert drafts_of(stack, setup, "PAR01")[0]["answers"] == {"REALISE": "Ateliers numériques et jardin partagé"}


def test_without_the_script_enregistrer_le_brouillon_ignorer_and_reprendre_les_reponses(page: Page, stack, setup):
    page.route(re.compile(r"/static/ecars\.js$"), lambda route: route.abort())  # a page without its script
    here = f"/contrats/{setup.contract_id}/indicateurs/PAR01"
    log_in(page, setup.member_email, here)
    page.get_by_label(re.compile(r"^Commentaire évalué 2023")).fill("Commentaire en cours")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page).to_have_url(re.compile(r"brouillon=repris"))
    expect(page.locator(".fr-alert--success")).to_contain_text("il n'est pas encore validé")
    expect(page.get_by_label(re.compile(r"^Commentaire évalué 2023"))).to_have_value("Commentaire en cours")

    # « Reprendre les réponses de 2022 »: the empty text answer gets last campaign's, the comment stays (the click
    # waits for axe to read the page it leaves: slow on a loaded machine)
    page.get_by_role("button", name="Reprendre les réponses de 2022").click(timeout=30_000)
    expect(page.get_by_label(re.compile(r"^Réalisé"))).to_have_value("Ateliers avec la commune.")
    expect(page.get_by_label(re.compile(r"^Commentaire évalué 2023"))).to_have_value("Commentaire en cours")
    assert drafts_of(stack, setup, "PAR01") == [{"answers": {"REALISE": "Ateliers avec la commune."},
                                                 "comment": "Commentaire en cours"}]

    page.goto(here)
    expect(page.locator("#brouillon-propose")).to_be_visible()
    page.get_by_role("button", name="Ignorer").click()
    expect(page.locator(".fr-alert--info").first).to_contain_text("Le brouillon est supprimé")
    expect(page.locator("#brouillon-propose")).to_have_count(0)
    assert drafts_of(stack, setup, "PAR01") == []


def test_reprendre_les_reponses_fills_a_yes_no_answer_in_the_page(page: Page, stack, setup):
    log_in(page, setup.member_email, f"/contrats/{setup.contract_id}/indicateurs/SOI01")
    expect(page.locator("#question-REALISE-legende")).to_contain_text("Campagne 2022 : Oui")
    page.get_by_role("button", name="Reprendre les réponses de 2022").click()
    expect(page.locator("#question-REALISE-oui")).to_be_checked()
    expect(page.locator("#brouillon-etat")).to_have_text(re.compile(r"^Brouillon enregistré à"))
    assert drafts_of(stack, setup, "SOI01")[0]["answers"] == {"REALISE": "oui"}


def test_the_ars_flags_a_value_a_suivre_and_finds_it_on_the_campaign_page(page: Page, stack, setup):
    here = f"/contrats/{setup.contract_id}/indicateurs/ACC01"
    log_in(page, setup.ars_email, here)
    section = page.locator("#a-suivre")
    expect(section).to_contain_text("ne sont pas marquées « À suivre »")
    page.get_by_role("button", name="Marquer à suivre").click(timeout=30_000)  # after axe read the page: slow here
    expect(page.locator("#note-suivi-erreur")).to_have_text("Renseignez le champ « Note de suivi ».")
    expect(page.get_by_label(re.compile(r"^Note de suivi"))).to_have_attribute("aria-invalid", "true")
    page.get_by_label(re.compile(r"^Note de suivi")).fill("Effectif à confirmer avec le rapport d'activité")
    page.get_by_role("button", name="Marquer à suivre").click(timeout=30_000)
    expect(page.locator(".fr-alert--success")).to_contain_text("marqué « À suivre »")
    expect(page.locator("#a-suivre-etat")).to_contain_text("Effectif à confirmer avec le rapport d'activité")

    page.goto(f"/campagnes/{setup.campaign_id}")
    listed = page.locator("#valeurs-a-suivre")
    expect(listed.get_by_role("heading")).to_have_text("Valeurs à suivre (1)")
    expect(listed.locator("tbody tr")).to_contain_text("Effectif à confirmer avec le rapport d'activité")
    listed.get_by_role("link", name="Nombre de personnes accompagnées").click()
    page.get_by_role("button", name="Ne plus suivre").click(timeout=30_000)
    expect(page.locator("#a-suivre-etat")).to_contain_text("ne sont pas marquées « À suivre »")
    assert rows(stack, "SELECT count(*) AS n FROM contracts.indicator_flags WHERE contract_id = %s",
                setup.contract_id) == [{"n": 0}]
