"""Guide 000 with the keyboard only: « Se connecter » → « Gestion des Contrats » → the EJ → the contract →
« SAISIR LES INDICATEURS » → indicators of three kinds (a number, « Oui / Non », a list of choices) filled →
« Clore la saisie » → CONSULTATION. Every link, field and button is reached with Tab (or Shift+Tab), activated
with Enter or Space, and typed into with the keyboard: never a click, never a fill. A control Tab never reaches is
an accessibility defect, and `tab_to` says which.

It runs on a contract of its own (the demo walk, tests/browser/test_guide_000_demo.py, closes the seeded one):
the template of tests/support/contracts.py, its other indicators saved through the API. axe-core checks every
page visited (the `page` fixture)."""

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.identity import PASSWORD

BY_KEYBOARD = ("ACC01", "SOI01", "PIL01")


def tab_to(page: Page, target: Locator, max_presses: int = 80, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab if `backwards`) until `target` has the focus; fail naming what Tab went through."""
    key, passed = ("Shift+Tab" if backwards else "Tab"), []
    for _ in range(max_presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
        passed.append(page.evaluate(
            "() => { const e = document.activeElement; if (!e) return '?';"
            " return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' « '"
            " + (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40) + ' »'; }"))
    if target.evaluate("element => element === document.activeElement"):
        return
    pytest.fail(f"{key} never reached {target} in {max_presses} presses on {page.url}: the keyboard cannot get "
                f"there. Focus went through: {' → '.join(passed[-25:])}", pytrace=False)


def follow(page: Page, link: Locator, url: str) -> None:
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(url))


def type_into(page: Page, field: Locator, text: str) -> None:
    tab_to(page, field)
    page.keyboard.type(text)


def save_indicator(page: Page) -> None:
    type_into(page, page.get_by_label(re.compile(r"^Commentaire évalué 2023")), "Donnée du rapport d'activité.")
    tab_to(page, page.get_by_role("button", name="Enregistrer", exact=True))
    page.keyboard.press("Enter")
    expect(page.locator(".fr-alert--success")).to_contain_text("est enregistré (pastille verte")


@pytest.mark.timeout(600)  # three indicators and the closing, axe on each page, Tab pressed one key at a time
def test_guide_000_walked_with_the_keyboard_only_to_consultation(page: Page, gateway, stack):
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        if code not in BY_KEYBOARD:
            assert save(gateway, setup, code, answers, comment="Saisi par l'API.").status_code == 200
    base = rf"/contrats/{setup.contract_id}"

    # « Se connecter »: the email, the password, Enter on the button
    page.goto("/connexion")
    type_into(page, page.get_by_label(re.compile(r"^Adresse email")), setup.member_email)
    type_into(page, page.get_by_label(re.compile(r"^Mot de passe")), PASSWORD)
    tab_to(page, page.get_by_role("button", name="Se connecter"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accueil$"))

    # « Gestion des Contrats » → the EJ → « LISTE DES CONTRATS » → the contract's form → « SAISIR LES INDICATEURS »
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestion des Contrats")
    follow(page, page.get_by_role("link", name=f"{setup.finess} - EJ {setup.finess}"), rf"/ej/{setup.finess}$")
    expect(page.get_by_role("heading", name="LISTE DES CONTRATS")).to_be_visible()
    follow(page, page.get_by_role("link", name=f"Auto-évaluation 2023 - EJ {setup.finess}"), base + "$")
    expect(page.locator("#statut")).to_contain_text("Statut : AUTO-EVALUATION")
    follow(page, page.get_by_role("link", name="SAISIR LES INDICATEURS"), base + "/indicateurs$")

    # a number: typed
    follow(page, page.locator("#liste-indicateurs [data-code='ACC01'] a"), base + "/indicateurs/ACC01$")
    type_into(page, page.locator("[id='question-REALISE']"), "42")
    save_indicator(page)

    # « Oui / Non »: Tab reaches the group, the arrows move within it, Space checks
    follow(page, page.locator(".ecars-side [data-code='SOI01'] a"), base + "/indicateurs/SOI01$")
    yes, no = page.locator("[id='question-REALISE-oui']"), page.locator("[id='question-REALISE-non']")
    tab_to(page, page.locator("input[name='q-REALISE']").first)
    if not yes.evaluate("element => element === document.activeElement"):
        page.keyboard.press("ArrowLeft")
    expect(yes).to_be_focused()
    page.keyboard.press("Space")
    expect(yes).to_be_checked()
    expect(no).not_to_be_checked()
    save_indicator(page)

    # a list of choices: the arrow picks the next option
    follow(page, page.locator(".ecars-side [data-code='PIL01'] a"), base + "/indicateurs/PIL01$")
    choice = page.locator("[id='question-REALISE']")
    tab_to(page, choice)
    page.keyboard.press("ArrowDown")
    expect(choice).to_have_value("Non engagée")
    save_indicator(page)

    # back to the contract's form by the breadcrumb, « Clore la saisie » with Space → CONSULTATION
    follow(page, page.get_by_role("navigation", name="vous êtes ici :").get_by_role(
        "link", name=f"Auto-évaluation 2023 - EJ {setup.finess}"), base + "$")
    expect(page.locator("#statut")).to_contain_text("100 %")
    tab_to(page, page.get_by_role("button", name="Clore la saisie"))
    page.keyboard.press("Space")
    expect(page.locator(".fr-alert--success")).to_contain_text("« CONSULTATION »")
    expect(page.locator("#statut")).to_contain_text("Statut : CONSULTATION")
    expect(page.get_by_role("button", name="Clore la saisie")).to_have_count(0)
