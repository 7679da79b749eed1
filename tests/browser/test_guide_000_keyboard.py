"""Guide 000 with the keyboard only: the établissement user's first login (« Renouveler le mot de passe », the
code from the mailbox) → « Gestion des Contrats » → the EJ → the contract → « SAISIR LES INDICATEURS » →
indicators of four kinds (a number, a percentage, « Oui / Non », a list of choices) filled → « Clore la saisie »
refused, naming the grey indicator and who holds it → that collaborator signs in and fills it (two numbers) →
« Clore la saisie » → CONSULTATION. Every link, field and button is reached with Tab (or Shift+Tab), activated
with Enter or Space, and typed into with the keyboard: never a click, never a fill. A control Tab never reaches is
an accessibility defect, and `tab_to` says which.

It runs on a contract of its own (the demo walk, tests/browser/test_guide_000_demo.py, closes the seeded one in
the same stack): the template of tests/support/contracts.py, with PIL02 restricted to a second collaborator of the
EJ, and PAR01 (a date) saved through the API — the order of a date input's day / month / year segments follows
Chromium's own locale, not the page's, so the keys to type differ from one machine to the next. axe-core checks
every page visited (the `page` fixture)."""

import re

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.contracts import GOOD_ANSWERS, grant_ej, make_contract, save, wait_for_referential
from tests.support.db import create_user, rows
from tests.support.identity import PASSWORD, bearer, latest_code, sign_in

BY_KEYBOARD = ("ACC01", "ACC02", "SOI01", "PIL01", "PIL02")
RESTRICTED = "PIL02"
# what has the focus, for the failure message: « button#id « its text » »
DESCRIBE_FOCUS = """() => {
  const e = document.activeElement;
  if (!e) return "?";
  const text = (e.innerText || e.value || e.getAttribute("aria-label") || "").replace(/\\s+/g, " ").trim();
  return e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + " « " + text.slice(0, 40) + " »";
}"""
NEW_PASSWORD = "Beaussais-Mer-2026!"  # free of her email's « clavier »


def tab_to(page: Page, target: Locator, max_presses: int = 80, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab if `backwards`) until `target` has the focus; fail naming what Tab went through."""
    key, passed = ("Shift+Tab" if backwards else "Tab"), []
    for _ in range(max_presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press(key)
        passed.append(page.evaluate(DESCRIBE_FOCUS))
    if target.evaluate("element => element === document.activeElement"):
        return
    pytest.fail(f"{key} never reached {target} in {max_presses} presses on {page.url}: the keyboard cannot get "
                f"there. Focus went through: {' → '.join(passed[-25:])}", pytrace=False)


def follow(page: Page, link: Locator, url: str) -> None:
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(url))


def type_into(page: Page, field: Locator, text: str, backwards: bool = False) -> None:
    tab_to(page, field, backwards=backwards)
    page.keyboard.type(text)


def keyboard_sign_in(page: Page, email: str, password: str) -> None:
    """« Se connecter »: the email, the password, Enter on the button."""
    page.goto("/connexion")
    type_into(page, page.get_by_label(re.compile(r"^Adresse email")), email)
    type_into(page, page.get_by_label(re.compile(r"^Mot de passe")), password)
    tab_to(page, page.get_by_role("button", name="Se connecter"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accueil$"))


def save_indicator(page: Page) -> None:
    type_into(page, page.get_by_label(re.compile(r"^Commentaire évalué 2023")), "Donnée du rapport d'activité.")
    tab_to(page, page.get_by_role("button", name="Enregistrer", exact=True))
    page.keyboard.press("Enter")
    expect(page.locator(".fr-alert--success")).to_contain_text("est enregistré (pastille verte")


@pytest.mark.timeout(900)  # the whole guide, axe on each page, Tab pressed one key at a time
def test_guide_000_walked_with_the_keyboard_only_from_the_first_login_to_consultation(page: Page, gateway, stack,
                                                                                     mailbox):
    setup = make_contract(gateway, stack)
    base = rf"/contrats/{setup.contract_id}"
    # the établissement user has no password yet; the other member of the EJ (setup.member) holds PIL02
    claire = f"clavier-{setup.finess}@e-cars.test"
    create_user(stack, claire, must_reset_password=True)
    grant_ej(gateway, setup.ars, setup.finess, claire)
    [holder] = rows(stack, "SELECT id FROM auth.users WHERE email = %s", setup.member_email)
    answer = httpx.put(setup.url(gateway, f"/restrictions/{RESTRICTED}"), headers=bearer(setup.ars),
                       json={"user_ids": [str(holder["id"])], "roles": [], "hidden": False})
    assert answer.status_code == 200, answer.text
    for code, answers in GOOD_ANSWERS.items():
        if code not in BY_KEYBOARD:
            assert save(gateway, setup, code, answers, comment="Saisi par l'API.").status_code == 200

    # first login: « Renouveler le mot de passe », the code from the mailbox, the new password twice
    page.goto("/connexion")
    follow(page, page.get_by_role("link", name="Renouveler le mot de passe"), r"/mot-de-passe")
    type_into(page, page.get_by_label("Adresse email"), claire)
    tab_to(page, page.get_by_role("button", name="Envoyer le code de vérification"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/mot-de-passe/code$"))
    type_into(page, page.get_by_label("Code de vérification"), latest_code(mailbox, claire))
    tab_to(page, page.get_by_role("button", name="Vérifier le code"))
    page.keyboard.press("Enter")
    follow(page, page.get_by_role("link", name="Continuer"), r"/mot-de-passe/nouveau$")
    type_into(page, page.get_by_label(re.compile(r"^Nouveau mot de passe")), NEW_PASSWORD)
    type_into(page, page.get_by_label(re.compile(r"^Confirmer le nouveau mot de passe")), NEW_PASSWORD)
    tab_to(page, page.get_by_role("button", name="Continuer"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe a été modifié")
    wait_for_referential(gateway, sign_in(gateway, claire, NEW_PASSWORD), setup.finess)  # her habilitation known
    keyboard_sign_in(page, claire, NEW_PASSWORD)

    # « Gestion des Contrats » → the EJ → « LISTE DES CONTRATS » → the contract's form → « SAISIR LES INDICATEURS »
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestion des Contrats")
    follow(page, page.get_by_role("link", name=f"{setup.finess} - EJ {setup.finess}"), rf"/ej/{setup.finess}$")
    expect(page.get_by_role("heading", name="LISTE DES CONTRATS")).to_be_visible()
    follow(page, page.get_by_role("link", name=f"Auto-évaluation 2023 - EJ {setup.finess}"), base + "$")
    expect(page.locator("#statut")).to_contain_text("Statut : AUTO-EVALUATION")
    follow(page, page.get_by_role("link", name="SAISIR LES INDICATEURS"), base + "/indicateurs$")
    grey = page.locator(f"#liste-indicateurs [data-code='{RESTRICTED}']")
    expect(grey).to_have_attribute("data-dot", "GRISE")
    expect(grey).to_contain_text(f"à renseigner par {setup.member_email}")

    # a number: typed
    follow(page, page.locator("#liste-indicateurs [data-code='ACC01'] a"), base + "/indicateurs/ACC01$")
    type_into(page, page.locator("[id='question-REALISE']"), "42")
    save_indicator(page)

    # a percentage, with its decimal comma: typed; the next indicator by « Indicateur suivant »
    follow(page, page.get_by_role("link", name=re.compile(r"^Indicateur suivant")), base + "/indicateurs/ACC02$")
    type_into(page, page.locator("[id='question-REALISE']"), "92,5")
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

    # back to the contract's form by the breadcrumb; « Clore la saisie » refused: the focus on the refusal, which
    # names the grey indicator and who holds it
    crumbs = page.get_by_role("navigation", name="vous êtes ici :")
    follow(page, crumbs.get_by_role("link", name=f"Auto-évaluation 2023 - EJ {setup.finess}"), base + "$")
    tab_to(page, page.get_by_role("button", name="Clore la saisie"))
    page.keyboard.press("Space")
    refusal = page.locator("#cloture-refusee")
    expect(refusal).to_be_focused()
    expect(refusal.locator("#indicateurs-gris li")).to_have_count(1)
    expect(refusal.locator("#indicateurs-gris")).to_contain_text(f"à renseigner par {setup.member_email}")
    expect(refusal.locator("#indicateurs-manquants")).to_have_count(0)

    # the collaborator who holds PIL02 fills it: two numbers, the second field first, back to the first by Shift+Tab
    page.context.clear_cookies()
    keyboard_sign_in(page, setup.member_email, PASSWORD)
    follow(page, page.get_by_role("link", name=f"{setup.finess} - EJ {setup.finess}"), rf"/ej/{setup.finess}$")
    follow(page, page.get_by_role("link", name=f"Auto-évaluation 2023 - EJ {setup.finess}"), base + "$")
    follow(page, page.get_by_role("link", name="SAISIR LES INDICATEURS"), base + "/indicateurs$")
    follow(page, page.locator(f"#liste-indicateurs [data-code='{RESTRICTED}'] a"), base + f"/indicateurs/{RESTRICTED}$")
    type_into(page, page.locator("[id='question-EFFECTIF']"), "25")
    type_into(page, page.locator("[id='question-FORMES']"), "10", backwards=True)
    save_indicator(page)

    # « Clore la saisie » with Space → CONSULTATION, read-only
    page.context.clear_cookies()
    keyboard_sign_in(page, claire, NEW_PASSWORD)
    follow(page, page.get_by_role("link", name=f"{setup.finess} - EJ {setup.finess}"), rf"/ej/{setup.finess}$")
    follow(page, page.get_by_role("link", name=f"Auto-évaluation 2023 - EJ {setup.finess}"), base + "$")
    expect(page.locator("#statut")).to_contain_text("100 %")
    tab_to(page, page.get_by_role("button", name="Clore la saisie"))
    page.keyboard.press("Space")
    expect(page.locator(".fr-alert--success")).to_contain_text("« CONSULTATION »")
    expect(page.locator("#statut")).to_contain_text("Statut : CONSULTATION")
    expect(page.get_by_role("button", name="Clore la saisie")).to_have_count(0)
    assert rows(stack, "SELECT status FROM contracts.contracts WHERE id = %s", setup.contract_id) == [
        {"status": "CONSULTATION"}]
    # what was typed is what the closing receipt froze
    [receipt] = rows(stack, "SELECT snapshot FROM contracts.receipts WHERE contract_id = %s", setup.contract_id)
    frozen = {item["code"]: item["answers"] for item in receipt["snapshot"]["indicators"]}
    assert {code: frozen[code] for code in BY_KEYBOARD} == {
        "ACC01": {"REALISE": 42}, "ACC02": {"REALISE": 92.5}, "SOI01": {"REALISE": True},
        "PIL01": {"REALISE": "Non engagée"},
        "PIL02": {"FORMES": 10, "EFFECTIF": 25}}
    follow(page, page.get_by_role("link", name="CONSULTER LES INDICATEURS"), base + "/indicateurs$")
    follow(page, page.locator("#liste-indicateurs [data-code='ACC01'] a"), base + "/indicateurs/ACC01$")
    expect(page.locator("#lecture-seule")).to_contain_text("CONSULTATION")
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
