"""The self-evaluation in a browser (guide 000 §2–6): « Gestion des contrats » → the EJ's « LISTE DES CONTRATS »
→ the contract's form (blue banner) → « SAISIR LES INDICATEURS » → an indicator « sous le contrat » →
« Enregistrer » → « Clore la saisie » → CONSULTATION; « EDITER LES DONNEES »; « Documents de l'indicateur »;
a grey indicator; the ARS's campaign from a spreadsheet, its progress table and its review."""

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import unique
from tests.support import cpom as cpom_support
from tests.support.contracts import GOOD_ANSWERS, TEMPLATE, grant_ej, make_contract, new_finess, save
from tests.support.db import rows
from tests.support.identity import PASSWORD, active_user, bearer
from tests.unit.test_contract_templates import GOOD, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INDICATOR_LABELS = [i["label"] for i in TEMPLATE["indicators"]]


# -- Helpers --------------------------------------------------------------------------------------

def log_in(page: Page, email: str) -> None:
    page.goto("/connexion")
    page.get_by_label(re.compile(r"^Adresse email")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/accueil$"))


def control(page: Page, label: str):
    """The control labelled `label` (its label may add « * » and a hint)."""
    return page.get_by_label(re.compile(r"^" + re.escape(label) + r"(\s\*)?(\s|$)"))


def error_of(page: Page, field_id: str):
    """The error message tied to a field through aria-describedby."""
    field = page.locator(f"[id='{field_id}']")
    expect(field).to_have_attribute("aria-invalid", "true")
    error_id = field.get_attribute("aria-describedby").split()[-1]
    return page.locator(f"[id='{error_id}']")


def banner(page: Page):
    return page.locator("#statut")


def indicator_row(page: Page, code: str):
    return page.locator(f"#liste-indicateurs [data-code='{code}']")


def open_indicator(page: Page, label: str) -> None:
    page.locator("#liste-indicateurs, .ecars-side").first.get_by_role("link", name=label, exact=True).click()
    expect(page.locator("#indicateur-titre")).to_contain_text(label)


def press_save(page: Page, expected_status: int = 303) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and "/indicateurs/" in r.url) as sent:
        page.get_by_role("button", name="Enregistrer").click()
    assert sent.value.status == expected_status


def saved_ok(page: Page, label: str) -> None:
    expect(page.locator(".fr-alert--success")).to_contain_text(f"L'indicateur « {label} » est enregistré")


def api_indicator(gateway, setup, code: str) -> dict:
    return httpx.get(setup.url(gateway, f"/indicators/{code}"), headers=bearer(setup.member)).json()


@pytest.fixture
def setup(gateway, stack):
    return make_contract(gateway, stack)


# -- 1. The guide's journey -----------------------------------------------------------------------

def test_the_establishment_fills_closes_and_exports_its_self_evaluation(page: Page, gateway, setup):
    log_in(page, setup.member_email)

    # « Gestion des contrats »: the EJ, sortable, « Page 1 sur 1 »
    expect(page.get_by_role("heading", level=1)).to_have_text("Gestion des Contrats")
    table = page.locator("#etablissements table")
    expect(table.locator("thead")).to_contain_text("Etablissement (EJ)")
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("↑")
    expect(page.get_by_text("Page 1 sur 1")).to_be_visible()
    table.get_by_role("link", name=re.compile(r"^Adresse")).click()
    expect(page).to_have_url(re.compile(r"sort=adresse"))
    expect(page.locator("#etablissements th[aria-sort=ascending]")).to_contain_text("Adresse")
    page.get_by_role("link", name=f"{setup.finess} - EJ {setup.finess}").click()

    # « LISTE DES CONTRATS » → the contract's form
    expect(page).to_have_url(re.compile(rf"/ej/{setup.finess}$"))
    expect(page.get_by_role("heading", name="LISTE DES CONTRATS")).to_be_visible()
    expect(page.locator("#contrats tbody")).to_contain_text("AUTO-EVALUATION")
    page.get_by_role("link", name=f"Auto-évaluation 2023 - EJ {setup.finess}").click()
    expect(page).to_have_url(re.compile(rf"/contrats/{setup.contract_id}$"))
    expect(banner(page)).to_contain_text("Statut : AUTO-EVALUATION")
    expect(banner(page)).to_contain_text("Pourcentage de remplissage : 0 %")
    expect(page.locator("#remplissage")).to_have_attribute("value", "0")
    page.screenshot(path="/tmp/ecars-contrat.png", full_page=True)

    # « SAISIR LES INDICATEURS »: six red dots, each with its meaning in words
    page.get_by_role("link", name="SAISIR LES INDICATEURS").click()
    expect(page.locator("#liste-indicateurs [data-dot=ROUGE]")).to_have_count(6)
    expect(indicator_row(page, "ACC01")).to_contain_text("Pastille rouge")
    expect(indicator_row(page, "ACC01")).to_contain_text("À renseigner")
    page.screenshot(path="/tmp/ecars-indicateurs.png", full_page=True)

    # a red indicator: « Réalisé » and « Commentaire évalué 2023 », then « Enregistrer »
    open_indicator(page, "Nombre de personnes accompagnées")
    expect(control(page, "Réalisé")).to_have_attribute("inputmode", "decimal")
    control(page, "Réalisé").fill("42")
    control(page, "Commentaire évalué 2023").fill("Selon le rapport d'activité")
    expect(page.get_by_text("Les documents ajoutés ne peuvent pas être supprimés")).to_be_visible()
    press_save(page)
    saved_ok(page, "Nombre de personnes accompagnées")
    expect(page.locator(".ecars-indicator-form")).to_have_attribute("data-dot", "VERTE")
    expect(page.locator("#indicateur-pastille")).to_contain_text("L'indicateur est renseigné (pastille verte)")
    expect(banner(page)).to_contain_text("Pourcentage de remplissage : 14 %")  # 1 of the 7 required questions
    expect(control(page, "Réalisé")).to_have_value("42")
    page.locator("#historique summary").click()
    expect(page.locator("#historique tbody")).to_contain_text(setup.member_email)
    page.screenshot(path="/tmp/ecars-indicateur.png", full_page=True)

    # a bad value: its French error under the field, nothing saved
    open_indicator(page, "Taux d'occupation")
    control(page, "Réalisé").fill("beaucoup")
    press_save(page, 422)
    expect(error_of(page, "question-REALISE")).to_contain_text("« Réalisé » : un nombre est attendu (exemple : 12,5)")
    expect(page.locator("#enregistrement-refuse")).to_contain_text("rien n'a été enregistré")
    expect(control(page, "Réalisé")).to_have_value("beaucoup")  # what was typed stays, to be corrected
    control(page, "Réalisé").fill("50")  # under the expected 80: a comment is required
    press_save(page, 422)
    expect(error_of(page, "commentaire")).to_contain_text("Un commentaire est obligatoire")
    page.screenshot(path="/tmp/ecars-indicateur-erreurs.png", full_page=True)
    assert api_indicator(gateway, setup, "ACC02")["version"] == 0
    expect(banner(page)).to_contain_text("14 %")

    # « Clore la saisie » refused: what is missing is listed
    page.goto(f"/contrats/{setup.contract_id}")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/clore")) as sent:
        page.get_by_role("button", name="Clore la saisie").click()
    assert sent.value.status == 303  # redirected: reloading the page never sends « Clore la saisie » again
    expect(page).to_have_url(re.compile(rf"/contrats/{setup.contract_id}\?cloture=refusee#cloture-refusee$"))
    refusal = page.locator("#cloture-refusee")
    expect(refusal).to_contain_text("Impossible de clore la saisie")
    for label in INDICATOR_LABELS[1:]:
        expect(refusal.locator("#indicateurs-manquants")).to_contain_text(label)
    expect(refusal.locator("#indicateurs-manquants")).not_to_contain_text(INDICATOR_LABELS[0])
    expect(refusal).to_contain_text("Agents formés, Effectif total")
    page.screenshot(path="/tmp/ecars-cloture-refusee.png", full_page=True)

    # the rest, through each kind of control
    refusal.get_by_role("link", name="Taux d'occupation").click()
    control(page, "Réalisé").fill("92,5")
    press_save(page)
    saved_ok(page, "Taux d'occupation")
    open_indicator(page, "Convention soins palliatifs")
    page.locator("label[for='question-REALISE-oui']").click()
    press_save(page)
    saved_ok(page, "Convention soins palliatifs")
    open_indicator(page, "Date de la dernière évaluation")
    expect(control(page, "Réalisé")).to_have_attribute("type", "date")
    expect(page.locator("[data-question='REALISE']")).not_to_contain_text("JJ/MM/AAAA")  # the picker shows its format
    control(page, "Réalisé").fill("2023-03-15")
    control(page, "Précisions").fill("Évaluation externe")
    press_save(page)
    saved_ok(page, "Date de la dernière évaluation")
    open_indicator(page, "Démarche qualité")
    control(page, "Réalisé").select_option("En cours")
    press_save(page)
    open_indicator(page, "Personnel formé")
    control(page, "Agents formés").fill("30")
    control(page, "Effectif total").fill("25")
    press_save(page, 422)
    expect(error_of(page, "question-FORMES")).to_contain_text("« Agents formés » doit être ≤ « Effectif total »")
    control(page, "Agents formés").fill("10")
    press_save(page)
    saved_ok(page, "Personnel formé")
    expect(banner(page)).to_contain_text("Pourcentage de remplissage : 100 %")
    expect(page.locator(".ecars-side [data-dot=VERTE]")).to_have_count(6)

    # « Clore la saisie » → CONSULTATION, with the receipt's hash; nothing can be changed any more
    page.goto(f"/contrats/{setup.contract_id}")
    page.get_by_role("button", name="Clore la saisie").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("CONSULTATION")
    expect(banner(page)).to_contain_text("Statut : CONSULTATION")
    receipt = httpx.get(setup.url(gateway), headers=bearer(setup.member)).json()["receipt_hash"]
    assert re.fullmatch(r"[0-9a-f]{64}", receipt)
    expect(page.locator("#empreinte")).to_have_text(receipt)
    expect(page.get_by_role("button", name="Clore la saisie")).to_have_count(0)
    page.screenshot(path="/tmp/ecars-contrat-consultation.png", full_page=True)
    page.get_by_role("link", name="CONSULTER LES INDICATEURS").click()
    open_indicator(page, "Nombre de personnes accompagnées")
    expect(page.locator("#lecture-seule")).to_contain_text("CONSULTATION")
    expect(page.locator("dd[data-question=REALISE]")).to_have_text("42")
    expect(page.locator("dd[data-question=comment]")).to_have_text("Selon le rapport d'activité")
    expect(page.locator("form#indicateur")).to_have_count(0)
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
    expect(page.get_by_role("button", name="Ajouter document")).to_have_count(0)

    # « EDITER LES DONNEES »: a Word document
    page.goto(f"/contrats/{setup.contract_id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="EDITER LES DONNEES").click()
    assert download.value.suggested_filename.endswith(".docx")
    with open(download.value.path(), "rb") as file:
        assert file.read(2) == b"PK"


def test_a_save_after_someone_else_s_is_refused_with_a_way_to_reload(page: Page, gateway, setup):
    log_in(page, setup.member_email)
    page.goto(f"/contrats/{setup.contract_id}/indicateurs/ACC01")
    assert save(gateway, setup, "ACC01", {"REALISE": 7}).status_code == 200  # meanwhile, in another tab
    control(page, "Réalisé").fill("42")
    press_save(page, 409)
    expect(page.locator("#enregistrement-refuse")).to_contain_text("modifié entre-temps")
    page.get_by_role("link", name="Recharger l'indicateur pour voir ses valeurs actuelles").click()
    expect(control(page, "Réalisé")).to_have_value("7")
    assert api_indicator(gateway, setup, "ACC01")["questions"][0]["value"] == 7


# -- 2. A grey indicator --------------------------------------------------------------------------

def test_a_grey_indicator_cannot_be_edited(page: Page, gateway, stack, setup):
    _, other_id = active_user(stack)
    for code, hidden in (("SOI01", False), ("PIL01", True)):
        answer = httpx.put(setup.url(gateway, f"/restrictions/{code}"), headers=bearer(setup.ars),
                           json={"user_ids": [other_id], "roles": [], "hidden": hidden})
        assert answer.status_code == 200, answer.text
    log_in(page, setup.member_email)
    page.goto(f"/contrats/{setup.contract_id}/indicateurs")
    expect(indicator_row(page, "SOI01")).to_have_attribute("data-dot", "GRISE")
    expect(indicator_row(page, "SOI01")).to_contain_text("Pastille grise")
    expect(indicator_row(page, "SOI01")).to_contain_text("Non accessible")
    expect(indicator_row(page, "PIL01").get_by_role("link")).to_have_count(0)  # hidden: not even readable
    expect(indicator_row(page, "PIL01")).to_contain_text("Non accessible")

    open_indicator(page, "Convention soins palliatifs")
    expect(page.locator("#lecture-seule")).to_contain_text("Pastille GRISE")
    expect(page.locator("form#indicateur")).to_have_count(0)
    expect(page.get_by_role("button", name="Enregistrer")).to_have_count(0)
    expect(page.get_by_role("radio")).to_have_count(0)
    page.screenshot(path="/tmp/ecars-indicateur-grise.png", full_page=True)

    # a form forged against it is refused by the service, and nothing is saved
    page.goto(f"/contrats/{setup.contract_id}")
    csrf = page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = page.request.post(f"/contrats/{setup.contract_id}/indicateurs/SOI01",
                               form={"csrf_token": csrf, "version": "0", "q-REALISE": "oui"}, max_redirects=0)
    assert forged.status == 303
    page.goto(f"/contrats/{setup.contract_id}/indicateurs/SOI01")
    expect(page.locator(".fr-alert--error")).to_contain_text("pastille grise")
    assert api_indicator(gateway, setup, "SOI01")["version"] == 0

    answer = page.goto(f"/contrats/{setup.contract_id}/indicateurs/PIL01")
    assert answer.status == 403
    expect(page.get_by_role("alert")).to_contain_text("n'est pas accessible")


def test_the_administrateur_sees_who_holds_a_grey_indicator_and_reassigns_it(page: Page, gateway, stack, setup):
    admin_email, _ = active_user(stack)
    answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(setup.ars), json={
        "scope_type": "ej", "scope_id": setup.finess, "civilite": "Mme", "nom": "ADMIN", "prenom": "Alice",
        "fonction": "Directrice", "email": admin_email, "administrateur": True})
    assert answer.status_code == 201, answer.text
    [holder] = rows(stack, "SELECT id FROM auth.users WHERE email = %s", setup.member_email)
    answer = httpx.put(setup.url(gateway, "/restrictions/SOI01"), headers=bearer(setup.ars),
                       json={"user_ids": [str(holder["id"])], "roles": [], "hidden": False})
    assert answer.status_code == 200, answer.text
    for code, answers in GOOD_ANSWERS.items():
        if code != "SOI01":
            assert save(gateway, setup, code, answers).status_code == 200
    log_in(page, admin_email)
    page.goto(f"/contrats/{setup.contract_id}/indicateurs")
    expect(indicator_row(page, "SOI01")).to_contain_text(f"Non accessible – à renseigner par {setup.member_email}")

    # « Clore la saisie »: the grey indicator is named as grey, with who must fill it, never as red
    page.goto(f"/contrats/{setup.contract_id}")
    page.get_by_role("button", name="Clore la saisie").click()
    refusal = page.locator("#cloture-refusee")
    expect(refusal.locator("#indicateurs-gris")).to_contain_text(
        f"Convention soins palliatifs – à renseigner par {setup.member_email}")
    expect(refusal.locator("#indicateurs-manquants")).to_have_count(0)
    expect(refusal).not_to_contain_text("pastille rouge")

    # « Indicateurs à accès restreint »: who holds it, and « Réattribuer » to another collaborator
    row = page.locator("#acces-restreint tr[data-code='SOI01']")
    expect(row.locator(".ecars-holders")).to_have_text(setup.member_email)
    page.get_by_label("Collaborateur qui renseignera « Convention soins palliatifs »").select_option(label=admin_email)
    with page.expect_response(lambda r: r.request.method == "POST" and "/attribution" in r.url) as sent:
        row.get_by_role("button", name="Réattribuer").click()
    assert sent.value.status == 303
    expect(page.locator(".fr-alert--success")).to_contain_text(f"désormais à renseigner par {admin_email}")
    expect(row.locator(".ecars-holders")).to_have_text(admin_email)
    page.goto(f"/contrats/{setup.contract_id}/indicateurs")
    expect(indicator_row(page, "SOI01")).to_have_attribute("data-dot", "ROUGE")

    # the one who held it sees no « Réattribuer »: not an Administrateur
    page.context.clear_cookies()
    log_in(page, setup.member_email)
    page.goto(f"/contrats/{setup.contract_id}")
    expect(page.locator("#acces-restreint")).to_contain_text(admin_email)
    expect(page.get_by_role("button", name="Réattribuer")).to_have_count(0)


# -- 3. « Documents de l'indicateur » -------------------------------------------------------------

def test_a_document_is_added_to_an_indicator_and_a_forbidden_format_is_refused(page: Page, gateway, setup):
    # The documents service checks a habilitation on the contract itself (an EJ's is not enough there yet).
    answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(setup.ars), json={
        "scope_type": "contract", "scope_id": setup.contract_id, "civilite": "Mme", "nom": "MEMBRE",
        "prenom": "Eve", "fonction": "Directrice", "email": setup.member_email})
    assert answer.status_code == 201, answer.text
    log_in(page, setup.member_email)
    page.goto(f"/contrats/{setup.contract_id}/indicateurs/ACC01")
    documents = page.locator("#documents")
    expect(documents).to_contain_text("Documents de l'indicateur")
    expect(documents).to_contain_text("Aucun document n'est joint à cet indicateur.")
    expect(documents).to_contain_text("Les documents ajoutés ne peuvent pas être supprimés")
    expect(documents).to_contain_text("txt, xls, xlsx, xlm, xlsm, doc, docx, pdf, ppt, ppts, zip, jpg, jpeg, tiff, "
                                      "gif, odt, odg, odp, ods, odf, dot, dotx")

    # what was typed but not saved is not thrown away by « Ajouter document »: a refused value stays as typed,
    # with its error, and the file is not sent…
    control(page, "Réalisé").fill("beaucoup")
    control(page, "Commentaire évalué 2023").fill("Voir le rapport joint")
    page.locator("#document").set_input_files(files=[{"name": "avant.txt", "mimeType": "text/plain",
                                                      "buffer": b"avant"}])
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/documents")) as sent:
        page.get_by_role("button", name="Ajouter document").click()
    assert sent.value.status == 422
    expect(control(page, "Réalisé")).to_have_value("beaucoup")
    expect(control(page, "Commentaire évalué 2023")).to_have_value("Voir le rapport joint")
    expect(error_of(page, "document")).to_contain_text("corrigez d'abord les valeurs saisies")
    expect(page.locator("#liste-documents")).not_to_contain_text("avant.txt")
    # … and a right one is saved with the document
    control(page, "Réalisé").fill("42")
    content = "Rapport d'activité 2023 : 42 personnes accompagnées.\n".encode()
    page.locator("#document").set_input_files(files=[{"name": "Rapport d'activité.txt", "mimeType": "text/plain",
                                                      "buffer": content}])
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/documents")) as sent:
        page.get_by_role("button", name="Ajouter document").click()
    assert sent.value.status == 303, sent.value.text()
    expect(page.locator(".fr-alert--success").first).to_contain_text("Vos saisies sur l'indicateur")
    expect(page.locator(".fr-alert--success").nth(1)).to_contain_text("« Rapport d'activité.txt » a été ajouté")
    expect(control(page, "Réalisé")).to_have_value("42")
    expect(control(page, "Commentaire évalué 2023")).to_have_value("Voir le rapport joint")
    saved = api_indicator(gateway, setup, "ACC01")
    assert saved["questions"][0]["value"] == 42 and saved["comment"] == "Voir le rapport joint"
    expect(page.locator("#liste-documents")).to_contain_text("Rapport d'activité.txt")
    with page.expect_download() as download:
        page.locator("#liste-documents").get_by_role("link", name="Rapport d'activité.txt").click()
    with open(download.value.path(), "rb") as file:
        assert file.read() == content

    page.locator("#document").set_input_files(files=[{"name": "outil.exe", "mimeType": "application/octet-stream",
                                                      "buffer": b"MZ\x90\x00" + b"\x00" * 64}])
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/documents")) as sent:
        page.get_by_role("button", name="Ajouter document").click()
    assert sent.value.status == 303  # a refused file too: the page after it is a GET, safe to reload
    expect(page).to_have_url(re.compile(r"/indicateurs/ACC01#documents$"))
    expect(error_of(page, "document")).to_contain_text("Le format « .exe » n'est pas accepté")
    page.reload()
    expect(page.locator("#document-erreur")).to_have_count(0)  # said once, not sent again
    expect(page.locator("#liste-documents")).not_to_contain_text("outil.exe")
    page.screenshot(path="/tmp/ecars-documents.png", full_page=True)

    page.locator("#document").set_input_files(files=[{"name": "faux.pdf", "mimeType": "application/pdf",
                                                      "buffer": b"MZ\x90\x00" + b"\x00" * 64}])
    page.get_by_role("button", name="Ajouter document").click()
    expect(error_of(page, "document")).to_contain_text("ne correspond pas à son extension")


# -- 4. The ARS: a campaign from a spreadsheet, its progress, the review ---------------------------

def test_the_ars_creates_a_campaign_from_a_spreadsheet_and_follows_its_progress(page: Page, gateway, stack):
    ars_email, _ = active_user(stack, role="ars", region="Bretagne")
    log_in(page, ars_email)
    page.get_by_role("link", name="Nouvelle campagne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle campagne d'auto-évaluation")
    expect(control(page, "Région")).to_have_value("Bretagne")
    name = unique("Campagne")
    control(page, "Nom de la campagne").fill(name)
    control(page, "Année évaluée").fill("2024")
    control(page, "Date de début").fill("2025-01-15")
    control(page, "Date de fin").fill("2025-06-30")

    bad = [["ACC01", "Personnes", None, "REALISE", "Réalisé", "couleur", "oui", None, None, None, None, None, None,
            None],
           ["ACC02", "Taux", None, "REALISE", "Réalisé", "pourcentage", "peut-être", None, None, None, None, None,
            None, None]]
    page.locator("#campagne-trame").set_input_files(files=[{"name": "trame.xlsx", "mimeType": XLSX,
                                                            "buffer": workbook(bad)}])
    page.get_by_role("button", name="Créer la campagne").click()
    expect(error_of(page, "campagne-trame")).to_contain_text("ligne 3, colonne G (obligatoire)")
    expect(page.locator("#erreurs-trame")).to_contain_text("oui ou non")
    page.screenshot(path="/tmp/ecars-campagne-erreurs.png", full_page=True)
    expect(control(page, "Nom de la campagne")).to_have_value(name)

    page.locator("#campagne-trame").set_input_files(files=[{"name": "trame.xlsx", "mimeType": XLSX,
                                                            "buffer": workbook(GOOD)}])
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("avec 3 indicateur(s)")
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("#suivi tbody")).to_contain_text("Aucun contrat")

    # « Ajouter un contrat »: its errors tied to the fields, then the progress table
    page.get_by_role("link", name="Ajouter un contrat").click()
    control(page, "Nom du contrat").fill("Auto-évaluation 2024")
    control(page, "FINESS juridique").fill("1234")
    page.get_by_role("button", name="Enregistrer").click()
    expect(error_of(page, "contrat-finess")).to_contain_text("9 caractères")
    expect(error_of(page, "contrat-raison-sociale")).to_contain_text("Renseignez le champ « Raison sociale »")
    finess = new_finess()
    control(page, "FINESS juridique").fill(finess)
    control(page, "Raison sociale").fill("ASSOCIATION LES TILLEULS")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".fr-alert--success")).to_contain_text(f"pour l'EJ {finess}")
    row = page.locator("#suivi tbody tr", has_text=finess)
    expect(row).to_contain_text("ASSOCIATION LES TILLEULS")
    expect(row).to_contain_text("AUTO-EVALUATION")
    expect(row).to_contain_text("0 %")
    page.screenshot(path="/tmp/ecars-campagne.png", full_page=True)

    # « Mes campagnes » in the header: the region's campaigns, this one with its contract in progress
    page.get_by_role("link", name="Mes campagnes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes campagnes")
    listed = page.locator("#campagnes tbody tr", has_text=name)
    expect(listed.locator("td").nth(1)).to_have_text("2024")
    expect(listed.locator("td").nth(4)).to_have_text("1")  # contracts
    expect(listed.locator("td").nth(5)).to_have_text("1")  # in progress
    expect(listed.locator("td").nth(8)).to_have_text("0 %")
    listed.get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    row = page.locator("#suivi tbody tr", has_text=finess)

    row.get_by_role("link", name="Auto-évaluation 2024").click()
    expect(banner(page)).to_contain_text("AUTO-EVALUATION")
    expect(page.get_by_role("link", name="CONSULTER LES INDICATEURS")).to_be_visible()
    expect(page.get_by_role("button", name="Clore la saisie")).to_have_count(0)


def test_the_ars_reopens_with_a_reason_then_accepts(page: Page, gateway, stack, setup):
    for code, answers in GOOD_ANSWERS.items():
        assert save(gateway, setup, code, answers).status_code == 200
    assert httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).status_code == 200
    log_in(page, setup.ars_email)
    page.goto(f"/contrats/{setup.contract_id}")
    expect(banner(page)).to_contain_text("Statut : CONSULTATION")
    page.get_by_role("button", name="Rouvrir la saisie").click()
    expect(error_of(page, "motif")).to_contain_text("Indiquez le motif de la réouverture")
    control(page, "Motif de la réouverture").fill("Indicateur ACC02 à corriger")
    page.get_by_role("button", name="Rouvrir la saisie").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("La saisie est rouverte")
    expect(banner(page)).to_contain_text("Statut : AUTO-EVALUATION")

    assert httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).status_code == 200
    page.reload()
    page.get_by_role("button", name="Accepter").click()
    expect(page.locator(".fr-alert--success")).to_contain_text("accepté")
    expect(banner(page)).to_contain_text("accepté par l'ARS")
    page.get_by_role("link", name="Suivi de la campagne").click()
    expect(page.locator("#suivi tbody")).to_contain_text("Accepté")


def test_a_person_without_contracts_still_sees_their_ej_habilitations(page: Page, gateway, stack):
    ars = cpom_support.user(stack, gateway, role="ars", region="Bretagne")
    member_email, _ = active_user(stack)
    finess = cpom_support.organisation(gateway, ars)["finess"]  # an EJ of Bretagne (in the referential), no contract
    grant_ej(gateway, ars.tokens, finess, member_email)
    log_in(page, member_email)
    expect(page.locator("#etablissements tbody")).to_contain_text(finess)
    expect(page.locator("#etablissements tbody").get_by_role("link")).to_have_attribute("href", f"/ej/{finess}")



def test_non_applicable_needs_a_comment_and_greys_out_the_answer(page: Page, gateway, stack):
    template = {"indicators": [{"code": "SOI02", "label": "Taux de réhospitalisation", "category": "Soins",
                                "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "percentage",
                                               "allow_na": True}]}]}
    setup = make_contract(gateway, stack, template=template)
    log_in(page, setup.member_email)
    page.goto(f"/contrats/{setup.contract_id}/indicateurs/SOI02")
    page.locator("label[for='question-REALISE-na']").click()
    expect(control(page, "Réalisé")).to_be_disabled()
    press_save(page, 422)
    expect(error_of(page, "commentaire")).to_contain_text("« Réalisé » est déclarée non applicable")
    expect(page.locator("#question-REALISE-na")).to_be_checked()
    control(page, "Commentaire évalué 2023").fill("Pas de service de soins dans l'établissement")
    press_save(page)
    saved_ok(page, "Taux de réhospitalisation")
    expect(page.locator("#question-REALISE-na")).to_be_checked()
    expect(banner(page)).to_contain_text("Pourcentage de remplissage : 100 %")
    assert api_indicator(gateway, setup, "SOI02")["questions"][0]["value"] == "NA"
