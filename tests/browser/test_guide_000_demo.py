"""Guide 000 walked on the demo data exactly as `make run` seeds it: the établissement user's first login
(« Renouveler le mot de passe », the code from the mailbox) → « Gestion des Contrats » → the EJ 220006175 → the
contract → every indicator she can fill → « Clore la saisie » refused, naming the two grey indicators with who
holds them → the finance officer (the second demo collaborator) fills them → « Clore la saisie » → CONSULTATION.

axe-core checks every page visited (the `page` fixture, tests/support/axe.py); the walk itself asserts what a
person sees at each step."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from ecars_common import demo
from services.auth.seed import DEMO_PASSWORD, DEMO_USERS
from services.contracts.seed import CONTRACT_ID
from tests.support.db import rows
from tests.support.receipts import pdf_text

CLAIRE = DEMO_USERS[0]["email"]
NEW_PASSWORD = "Beaussais-Mer-2026!"
CODE = re.compile(r"Votre code de vérification : (\d{6})\b")
RESTRICTED = ("PIL04", "PIL09")


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto("/connexion")
    page.get_by_label(re.compile(r"^Adresse email")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/accueil$"))


def fill_indicator(page: Page, code: str) -> None:
    """Every question of the indicator's page with a right value of its kind, a comment, « Enregistrer »."""
    page.goto(f"/contrats/{CONTRACT_ID}/indicateurs/{code}")
    form = page.locator("form#indicateur")
    for question in form.locator(".ecars-question").all():
        kind, name = question.get_attribute("data-kind"), question.get_attribute("data-question")
        control = page.locator(f"[id='question-{name}']")
        if kind == "yes_no":
            page.locator(f"label[for='question-{name}-oui']").click()
        elif kind == "choice":
            control.select_option(index=1)
        elif kind == "date":
            control.fill("2023-03-15")
        elif kind == "text":
            control.fill("Conformément au projet d'établissement.")
        elif name == "EFFECTIF":
            control.fill("25")
        else:
            control.fill("10")  # within every bound of the demo template; a comment covers the expected ranges
    page.get_by_label(re.compile(r"^Commentaire évalué 2023")).fill("Donnée du rapport d'activité 2023.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("est enregistré (pastille verte")


@pytest.mark.timeout(900)  # the whole guide, axe on each page: longer than the suite's 300 s per test
def test_guide_000_from_the_first_login_to_consultation_on_the_demo_data(page: Page, stack, mailbox, tmp_path):
    # as seeded: nothing filled yet, and Claire has no password (her first login renews it)
    assert rows(stack, "SELECT status, filled_questions FROM contracts.contracts WHERE id = %s", CONTRACT_ID) == [
        {"status": "AUTO-EVALUATION", "filled_questions": 0}]
    assert rows(stack, "SELECT password_hash IS NULL AS none, must_reset_password FROM auth.users WHERE email = %s",
                CLAIRE) == [{"none": True, "must_reset_password": True}]

    # first login: « Renouveler le mot de passe », the code arrives in the mailbox
    page.goto("/connexion")
    page.get_by_role("link", name="Renouveler le mot de passe").click()
    page.get_by_label("Adresse email").fill(CLAIRE)
    page.get_by_role("button", name="Envoyer le code de vérification").click()
    expect(page).to_have_url(re.compile(r"/mot-de-passe/code$"))
    mail = mailbox.wait_for(CLAIRE)[-1]
    page.get_by_label("Code de vérification").fill(CODE.search(mail["text"]).group(1))
    page.get_by_role("button", name="Vérifier le code").click()
    page.get_by_role("link", name="Continuer").click()
    expect(page).to_have_url(re.compile(r"/mot-de-passe/nouveau$"))
    page.get_by_label(re.compile(r"^Nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_label(re.compile(r"^Confirmer le nouveau mot de passe")).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("status")).to_contain_text("Votre mot de passe a été modifié")
    sign_in(page, CLAIRE, NEW_PASSWORD)

    # « Gestion des Contrats » → the EJ → « LISTE DES CONTRATS » → the contract's form
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestion des Contrats")
    page.get_by_role("link", name="220006175 - CCAS BEAUSSAIS SUR MER").click()
    expect(page.get_by_role("heading", name="LISTE DES CONTRATS")).to_be_visible()
    page.get_by_role("link", name="Auto-évaluation 2023 - CCAS BEAUSSAIS SUR MER").click()
    expect(page).to_have_url(re.compile(rf"/contrats/{CONTRACT_ID}$"))
    expect(page.locator("#statut")).to_contain_text("Statut : AUTO-EVALUATION")
    expect(page.locator("#acces-restreint")).to_contain_text(demo.FINANCE_OFFICER_EMAIL)

    # « SAISIR LES INDICATEURS »: 31 indicators, the two financial ones grey, held by the finance officer
    page.get_by_role("link", name="SAISIR LES INDICATEURS").click()
    listed = page.locator("#liste-indicateurs [data-code]")
    expect(listed).to_have_count(31)
    for code in RESTRICTED:
        row = page.locator(f"#liste-indicateurs [data-code='{code}']")
        expect(row).to_have_attribute("data-dot", "GRISE")
        expect(row).to_contain_text(f"à renseigner par {demo.FINANCE_OFFICER_EMAIL}")
    codes = [c for c in listed.evaluate_all("items => items.map(i => i.dataset.code)") if c not in RESTRICTED]
    for code in codes:
        fill_indicator(page, code)

    # « Clore la saisie »: refused, the grey ones named as grey, with who must fill them — no red one left
    page.goto(f"/contrats/{CONTRACT_ID}")
    expect(page.locator("#statut")).to_contain_text("93 %")
    page.get_by_role("button", name="Clore la saisie").click()
    refusal = page.locator("#cloture-refusee")
    expect(refusal.locator("#indicateurs-gris li")).to_have_count(2)
    expect(refusal.locator("#indicateurs-gris")).to_contain_text(f"à renseigner par {demo.FINANCE_OFFICER_EMAIL}")
    expect(refusal.locator("#indicateurs-manquants")).to_have_count(0)
    expect(refusal).not_to_contain_text("pastille rouge")

    # the finance officer fills the two restricted indicators
    page.context.clear_cookies()
    sign_in(page, demo.FINANCE_OFFICER_EMAIL, DEMO_PASSWORD)
    for code in RESTRICTED:
        fill_indicator(page, code)

    # « Clore la saisie » → CONSULTATION, read-only
    page.context.clear_cookies()
    sign_in(page, CLAIRE, NEW_PASSWORD)
    page.goto(f"/contrats/{CONTRACT_ID}")
    expect(page.locator("#statut")).to_contain_text("100 %")
    page.get_by_role("button", name="Clore la saisie").click()
    expect(page).to_have_url(re.compile(rf"/contrats/{CONTRACT_ID}$"))
    expect(page.locator(".fr-alert--success")).to_contain_text("« CONSULTATION »")
    expect(page.locator("#statut")).to_contain_text("Statut : CONSULTATION")
    expect(page.locator("#empreinte")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    # the proof of closing (issue 18): the receipt PDF, its hash as the page shows it
    with page.expect_download() as download:
        page.locator("#accuse-de-cloture").click()
    receipt = Path(download.value.path()).read_bytes()
    assert receipt.startswith(b"%PDF")
    assert page.locator("#empreinte").inner_text() in pdf_text(receipt, tmp_path)
    expect(page.get_by_role("link", name="CONSULTER LES INDICATEURS")).to_be_visible()
    expect(page.get_by_role("button", name="Clore la saisie")).to_have_count(0)
    page.goto(f"/contrats/{CONTRACT_ID}/indicateurs/ACC01")
    expect(page.locator("#lecture-seule")).to_contain_text("CONSULTATION")
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
