"""The support team's dashboards through the web UI (role support only)."""

from playwright.sync_api import Page, expect

from tests.browser.test_identity_journeys import sign_in, sign_out
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
