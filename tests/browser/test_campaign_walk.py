"""Issue 17 §6, an ARS running a campaign in a browser (axe-core on every page visited): a campaign created with a
closing date, the countdown « Clôture dans N jours » on the établissement's side, the automatic reminder in the
mail sink, a reminder by hand from the campaign page (keyboard), one EJ's deadline extended, the export
downloaded and read back."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.test_contracts_journey import XLSX, control, log_in
from tests.conftest import unique
from tests.support.campaigns import in_days
from tests.support.contracts import grant_ej, new_finess, wait_for_access
from tests.support.db import rows
from tests.support.identity import active_user, sign_in
from tests.unit.test_contract_templates import GOOD, workbook

EJS = ("ASSOCIATION LES TILLEULS", "EHPAD LES GLYCINES")


def reminders(mailbox, email: str) -> list[dict]:
    return [m for m in mailbox.messages(email) if "Rappel" in m["subject"]]


def wait_for_reminders(mailbox, email: str, count: int) -> list[dict]:
    mailbox.wait_for(email, count=count, timeout=30)
    return reminders(mailbox, email)


def test_an_ars_runs_a_campaign_from_its_calendar_to_its_export(page: Page, browser, gateway, stack, mailbox):
    ars_email, _ = active_user(stack, role="ars", region="Bretagne")
    log_in(page, ars_email)
    page.get_by_role("link", name="Nouvelle campagne").click()
    name = unique("Campagne")
    control(page, "Nom de la campagne").fill(name)
    control(page, "Année évaluée").fill("2024")
    control(page, "Date de début").fill("2025-01-15")
    control(page, "Date de fin").fill("2025-06-30")
    control(page, "Clôture de la saisie").fill(in_days(7))
    page.locator("#campagne-trame").set_input_files(files=[{"name": "trame.xlsx", "mimeType": XLSX,
                                                            "buffer": workbook(GOOD)}])
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    campaign_path = re.search(r"/campagnes/[0-9a-f-]{36}", page.url).group(0)

    members = {}
    for label in EJS:
        finess = new_finess()
        page.get_by_role("link", name="Ajouter un contrat").click()
        control(page, "Nom du contrat").fill(f"Auto-évaluation 2024 - {label}")
        control(page, "FINESS juridique").fill(finess)
        control(page, "Raison sociale").fill(label)
        page.get_by_role("button", name="Enregistrer").click()
        expect(page.locator(".fr-alert--success")).to_contain_text(f"pour l'EJ {finess}")
        [created] = rows(stack, "SELECT id FROM contracts.contracts WHERE ej_finess = %s", finess)
        email, _ = active_user(stack)
        grant_ej(gateway, sign_in(gateway, ars_email), finess, email)
        wait_for_access(gateway, sign_in(gateway, email), created["id"])
        members[label] = (finess, email, created["id"])

    # the établissement's side: the countdown, and the J-7 reminder the contracts worker sends by itself
    tilleuls_finess, tilleuls_email, tilleuls_id = members[EJS[0]]
    theirs = browser.new_context(locale="fr-FR", base_url=gateway).new_page()
    log_in(theirs, tilleuls_email)
    theirs.goto(f"/contrats/{tilleuls_id}")
    expect(theirs.locator("#cloture-saisie")).to_contain_text("Clôture dans 7 jours")
    [automatic] = wait_for_reminders(mailbox, tilleuls_email, 1)
    assert "clôture de la saisie le" in automatic["subject"] and EJS[0] in automatic["subject"]

    # a reminder by hand, the contract ticked with the keyboard
    page.goto(campaign_path)
    box = page.get_by_label(f"Sélectionner « Auto-évaluation 2024 - {EJS[0]} » ({EJS[0]})")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.locator("label[for='action-remind']").click()  # the DSFR draws the radio on its label
    expect(page.get_by_label("Relancer")).to_be_checked()
    page.get_by_role("button", name="Appliquer l'action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bilan de l'action groupée : Relancer")
    expect(page.locator("#bilan")).to_contain_text("1 contrat(s) sélectionné(s) : 1 traité(s), 0 refusé(s).")
    expect(page.locator("#faits")).to_contain_text(EJS[0])
    assert len(wait_for_reminders(mailbox, tilleuls_email, 2)) == 2
    assert len(wait_for_reminders(mailbox, members[EJS[1]][1], 1)) == 1  # its automatic one only: not ticked

    # one EJ's deadline extended: first without a reason (named, the ticked box kept), then with it
    page.get_by_role("link", name="Retour au suivi des contrats").click()
    page.get_by_label(f"Sélectionner « Auto-évaluation 2024 - {EJS[1]} » ({EJS[1]})").press("Space")
    page.locator("label[for='action-extend']").click()
    control(page, "Prolonger jusqu'au (pour prolonger)").fill(in_days(20))
    page.get_by_role("button", name="Appliquer l'action").click()
    expect(page.locator("#reason-erreur")).to_contain_text("Indiquez le motif")
    expect(page.get_by_label(f"Sélectionner « Auto-évaluation 2024 - {EJS[1]} » ({EJS[1]})")).to_be_checked()
    page.get_by_label("Motif (pour rouvrir ou prolonger)").fill("Inondation des locaux")
    page.get_by_role("button", name="Appliquer l'action").click()
    expect(page.locator("#bilan")).to_contain_text("1 traité(s), 0 refusé(s).")
    expect(page.locator("#faits")).to_contain_text("Date de clôture prolongée")
    glycines_email, glycines_id = members[EJS[1]][1], members[EJS[1]][2]
    other = browser.new_context(locale="fr-FR", base_url=gateway).new_page()
    log_in(other, glycines_email)
    other.goto(f"/contrats/{glycines_id}")
    expect(other.locator("#cloture-saisie")).to_contain_text("Clôture dans 20 jours")
    expect(other.locator("#cloture-saisie")).to_contain_text("délai prolongé pour votre établissement")
    theirs.reload()
    expect(theirs.locator("#cloture-saisie")).to_contain_text("Clôture dans 7 jours")  # the other EJ's is unchanged

    # the export, downloaded from the dashboard and read back
    page.goto(f"{campaign_path}/tableau-de-bord")
    with page.expect_download() as download:
        page.get_by_role("link", name="Classeur XLSX – une ligne par contrat et indicateur").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = table[0]
    by_ej = {}
    for row in table[1:]:
        by_ej.setdefault(row[header.index("Raison sociale")], set()).add(row[header.index("Date de clôture")].date())
    assert set(by_ej) == set(EJS)
    assert {str(day) for day in by_ej[EJS[0]]} == {in_days(7)}
    assert {str(day) for day in by_ej[EJS[1]]} == {in_days(20)}  # the extension, the EJ's own date
    assert {row[header.index("FINESS juridique")] for row in table[1:]} == {tilleuls_finess, members[EJS[1]][0]}
