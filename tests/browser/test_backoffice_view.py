"""« Suivi des transmissions »: the ARS sees the closings and transmissions of its territory, newest first."""

import httpx
from playwright.sync_api import Page, expect

from tests.browser.test_identity_journeys import sign_in, sign_out
from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.identity import PASSWORD, active_user, bearer


def test_the_ars_follows_the_closings_of_its_region_and_others_may_not(page: Page, stack, gateway):
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers)
    receipt = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).json()["receipt_hash"]

    sign_in(page, setup.ars_email, PASSWORD)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto(f"{gateway}/suivi-des-transmissions")
    expect(page.get_by_role("heading", name="Suivi des transmissions")).to_be_visible()
    expect(page).to_have_title("Suivi des transmissions – ars Extranet Ecars")  # held a whole section's markup
    row = page.get_by_role("row").filter(has_text=f"EJ {setup.finess}")
    expect(row).to_contain_text("Auto-évaluation close")
    expect(row).to_contain_text(receipt[:12])
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{gateway}/contrats/{setup.contract_id}")

    other = active_user(stack, role="ars", region="Occitanie")[0]
    sign_out(page)
    sign_in(page, other, PASSWORD)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto(f"{gateway}/suivi-des-transmissions")
    expect(page.get_by_text(f"EJ {setup.finess}")).to_have_count(0)

    sign_out(page)
    sign_in(page, setup.member_email, PASSWORD)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert page.goto(f"{gateway}/suivi-des-transmissions").status == 403
