"""The support team's dashboards and « Comptes et sessions » through the web UI (role support only)."""

import re

from playwright.sync_api import Page, expect

from tests.browser.test_identity_journeys import error_of, sign_in, sign_out
from tests.support.db import rows
from tests.support.identity import PASSWORD, active_user


def test_support_reads_each_service_dashboard_and_others_are_refused(page: Page, stack, gateway):
    support, _ = active_user(stack, role="support")
    sign_in(page, support, PASSWORD)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto(f"{gateway}/support/")
    expect(page.get_by_role("heading", name="Tableau de bord du support")).to_be_visible()
    expect(page.get_by_role("heading", name="Service « auth »")).to_be_visible()
    page.get_by_role("link", name="notifications").click()
    expect(page.get_by_role("heading", name="Service « notifications »")).to_be_visible()
    expect(page.get_by_role("cell", name="smtp")).to_be_visible()
    expect(page.locator("#outbox-unsent")).to_have_text("0")
    expect(page.get_by_role("button", name="Rejouer les lettres mortes")).to_be_visible()
    page.get_by_role("link", name="documents").click()  # its S3 objects without a row (services/documents/orphans.py)
    expect(page.get_by_role("heading", name="Fichiers sans fiche dans le stockage")).to_be_visible()
    expect(page.get_by_role("table", name="Fichiers sans fiche dans le stockage")).to_be_visible()

    sign_out(page)
    member, _ = active_user(stack)
    sign_in(page, member, PASSWORD)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    answer = page.goto(f"{gateway}/support/auth/")
    assert answer.status == 403
    expect(page.get_by_text("Réservé à l'équipe support.")).to_be_visible()


def test_support_ends_every_session_of_a_person_then_disables_and_reactivates_the_account(page: Page, browser, stack,
                                                                                         gateway):
    """ASVS 5.0 7.4.5, 7.4.2: from « Comptes et sessions », the person's other browser goes to « Se connecter » at
    once; a disabled account cannot sign in; each action is audited."""
    support, support_id = active_user(stack, role="support")
    person, person_id = active_user(stack, prenom="Claire", nom="MARTIN")
    other = browser.new_context(locale="fr-FR", base_url=gateway)
    try:
        elsewhere = other.new_page()
        sign_in(elsewhere, person, PASSWORD)
        expect(elsewhere).to_have_url(re.compile(r"/accueil$"))

        sign_in(page, support, PASSWORD)
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        page.goto("/support/")
        page.get_by_role("link", name="Comptes et sessions").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Comptes et sessions")
        page.get_by_label(re.compile(r"^Adresse email du compte")).fill("claire.martin")
        page.get_by_role("button", name="Rechercher").click()
        expect(error_of(page, "email")).to_have_text(re.compile(r"^Saisissez l'adresse email complète"))
        expect(page.get_by_label(re.compile(r"^Adresse email du compte"))).to_have_value("claire.martin")
        page.get_by_label(re.compile(r"^Adresse email du compte")).fill(person)
        page.get_by_role("button", name="Rechercher").click()
        account = page.locator("#compte")
        expect(account.get_by_role("heading", level=2)).to_have_text("Mme Claire MARTIN")
        expect(account).to_contain_text("Actif")
        expect(page.locator("#sessions-ouvertes")).to_have_text("1")
        page.screenshot(path="/tmp/ecars-support-comptes.png", full_page=True)

        page.get_by_role("button", name="Fermer toutes ses sessions").click()
        expect(page.get_by_role("status")).to_have_text(
            "Toutes les sessions de ce compte ont été fermées (1 session(s) ouverte(s)).")
        expect(page.locator("#sessions-ouvertes")).to_have_text("0")
        elsewhere.goto("/accueil")
        expect(elsewhere).to_have_url(re.compile(r"/connexion\?suivant=/accueil$"))

        sign_in(elsewhere, person, PASSWORD)  # signs in again: the account is still active
        expect(elsewhere).to_have_url(re.compile(r"/accueil$"))
        page.reload()
        page.get_by_role("button", name="Désactiver le compte").click()
        expect(page.get_by_role("status")).to_have_text(
            "Le compte est désactivé : la personne ne peut plus se connecter et ses sessions sont fermées.")
        expect(account).to_contain_text("Désactivé")
        elsewhere.goto("/accueil")
        expect(elsewhere).to_have_url(re.compile(r"/connexion\?suivant=/accueil$"))
        sign_in(elsewhere, person, PASSWORD)
        expect(elsewhere.get_by_role("alert")).to_contain_text("Votre compte est désactivé")

        page.get_by_role("button", name="Réactiver le compte").click()
        expect(page.get_by_role("status")).to_have_text(
            "Le compte est réactivé : la personne peut de nouveau se connecter.")
        expect(account).to_contain_text("Actif")
        sign_in(elsewhere, person, PASSWORD)
        expect(elsewhere).to_have_url(re.compile(r"/accueil$"))
    finally:
        other.close()
    audited = rows(stack, "SELECT action, details->>'by' AS by FROM auth.audit_log WHERE user_id = %s AND action IN "
                          "('account.disabled', 'account.enabled') ORDER BY id", person_id)
    assert [(row["action"], row["by"]) for row in audited] == [("account.disabled", support_id),
                                                                ("account.enabled", support_id)]
