"""The CPOM in a browser (guide 004): « Gestion des Contrats » → the EJ's page (« Liste de mes CPOM ») → « CPOM -
Contractualisation » → « Grille des objectifs » → « fiche Objectif » (5 actions, a sixth refused) → « fiche
indicateur » ET par ET with a rate (a denominator of 0 refused, then the rate computed) → « Remarques » →
« Transmettre les informations » (refused with what is missing, then version 1); « Documents »: « Ajouter un
fichier » greyed out until a folder is selected, a file added and listed, « Documents confidentiels » hidden from
a user without « Visibilité documents confidentiels »."""

import re
import uuid

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.cpom import api, by_code, create_cpom, grant, grid_document, organisation, put_grid, user
from tests.support.db import connect
from tests.support.identity import PASSWORD, active_user

SIXTH_ACTION = "Vous pouvez renseigner jusqu'à 5 actions par objectif."
ZERO_DENOMINATOR = "Le dénominateur ne peut pas être égal à 0 : le taux ne peut pas être calculé."
TEAM = {"referent": {"nom_complet": "arsmedico2 ars", "courriel": "arsmedico2@e-cars.test"},
        "autorites": [{"nom_complet": "Agent CD 22", "courriel": "cd22@cd.test", "telephone": "0296000001"}],
        "etablissement": [{"nom_complet": "GIRONDE_Jer", "courriel": "zegzeff@fr.fr"},
                          {"nom_complet": "RENAUD_Jerome", "fonction": "Directeur",
                           "courriel": "jeromerenaud@gmail.com"}]}
PLANNING = {"date_effet": "2022-01-01", "date_echeance": "2026-12-31", "date_echeance_initiale": "2021-12-31"}


def log_in(page: Page, email: str) -> None:
    page.goto("/connexion")
    page.get_by_label(re.compile(r"^Adresse email")).fill(email)
    page.get_by_label(re.compile(r"^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/accueil$"))


def documents_grant(stack, user_id: str, cpom_id: str, confidential: bool) -> None:
    """A ("cpom", id) habilitation in the documents service's projection, as auth's events would leave it."""
    with connect(stack) as conn:
        conn.execute("INSERT INTO documents.habilitations (habilitation_id, user_id, scope_type, scope_id, "
                     "administrateur, visibilite_documents_confidentiels) VALUES (%s, %s, %s, %s, false, %s)",
                     (str(uuid.uuid4()), user_id, "cpom", cpom_id, confidential))


@pytest.fixture(scope="module")
def ars(stack, gateway):
    return user(stack, gateway, role="ars", region="Bretagne")


@pytest.fixture
def setting(stack, gateway, ars):
    org = organisation(gateway, ars, ets=2, name="CCAS TEST")
    cpom = create_cpom(gateway, ars, org, equipe=TEAM, planning=PLANNING)
    assert put_grid(gateway, ars, cpom["id"], grid_document(org["ets"])).status_code == 200
    email, user_id = active_user(stack)
    grant(stack, user_id, "ej", org["finess"])
    codes = by_code(httpx.get(api(gateway, f"/cpoms/{cpom['id']}/grille"), headers=ars.headers).json())
    return {"org": org, "cpom": cpom, "email": email, "user_id": user_id, "codes": codes}


def press(page: Page, name: str, url_part: str, status: int) -> None:
    with page.expect_response(lambda r: r.request.method == "POST" and url_part in r.url) as sent:
        page.get_by_role("button", name=name, exact=True).click()
    assert sent.value.status == status, sent.value.status


@pytest.mark.timeout(900)  # guide 004 end to end, axe on each page
def test_the_gestionnaire_fills_in_its_cpom_and_transmits_it(page: Page, browser, gateway, stack, setting):
    """Guide 004 from the EJ list to « Transmettre les informations », axe on every page (tests/support/axe.py)."""
    org, cpom, codes = setting["org"], setting["cpom"], setting["codes"]
    ej_label = f"{org['finess']} - CCAS TEST {org['finess']}"
    log_in(page, setting["email"])

    # « Gestion des Contrats »: the EJ, then its page with « Liste de mes CPOM »
    home = page.locator("#etablissements table")
    expect(home.locator("thead")).to_contain_text("Etablissement (EJ)")
    expect(page.get_by_text("Page 1 sur 1")).to_be_visible()
    home.get_by_role("link", name=ej_label).click()
    expect(page.locator("#ej-cpom")).to_contain_text(f"Raison Sociale : CCAS TEST {org['finess']}")
    expect(page.locator("#ej-cpom")).to_contain_text(f"Finess Juridique : {org['finess']}")
    page.get_by_text("Détails EJ").click()
    expect(page.locator("#details-ej")).to_contain_text("1 RUE DU TEST")
    row = page.locator("#liste-cpom tbody tr").first
    expect(row).to_contain_text("1 Préparation")
    expect(row).to_contain_text("Conjointe")
    expect(row).to_contain_text("01/01/2022")
    expect(page.locator("#liste-contacts")).to_contain_text("RENAUD_Jerome")
    expect(page.locator("#liste-contacts")).to_contain_text("Directeur")
    expect(page.locator("#liste-etablissements")).to_contain_text(f"{org['ets'][0]} - ET 1 DE {org['finess']}")
    expect(page.locator("#liste-etablissements")).to_contain_text("Bretagne")
    page.screenshot(path="/tmp/cpom_ej.png", full_page=True)
    row.get_by_role("link", name=cpom["nom"]).click()

    # « CPOM - Contractualisation »
    expect(page.get_by_role("heading", name="CPOM - Contractualisation")).to_be_visible()
    facts = page.locator("#fiche-cpom")
    expect(facts).to_contain_text(f"Nom du CPOM : {cpom['nom']}")
    expect(facts).to_contain_text(f"EJ associé : {ej_label}")
    expect(facts).to_contain_text("Statut : 1 Préparation")
    expect(facts).to_contain_text("Départements concernés : 22")
    expect(page.locator("#planning")).to_contain_text("Date d'échéance : 31/12/2026")
    expect(page.locator("#planning")).to_contain_text("Date d'échéance initiale : 31/12/2021")
    # the cpom service's labels (GET /referentiels), « 0 » for a year not set, as the guide shows it
    expect(page.locator("#planning")).to_contain_text("Année prévisionnelle de dialogue de gestion : 0")
    expect(page.locator("#validation")).to_contain_text("Validation ARS : Non")
    expect(page.locator("#equipe")).to_contain_text("Réfèrent : arsmedico2 ars")
    expect(page.locator("#equipe-etablissement")).to_contain_text("jeromerenaud@gmail.com")
    # « Gérer les accès »: only for whom may manage the accesses (this gestionnaire is no Administrateur)
    expect(page.get_by_role("link", name="Gérer les accès")).to_have_count(0)
    expect(page.get_by_role("button", name="Changer le statut")).to_have_count(0)  # the gestionnaire may not
    page.screenshot(path="/tmp/cpom_sheet.png", full_page=True)

    # « Génération Tableau de synthèse » and « Génération fiche Objectif »: Word documents from reporting
    with page.expect_download() as download:
        page.get_by_role("link", name="Génération Tableau de synthèse").click()
    assert download.value.suggested_filename == f"Tableau de synthèse - {cpom['nom']}.docx"
    page.get_by_label("Objectif", exact=True).select_option(label="O2 – Coopérer")
    with page.expect_download() as download:
        page.get_by_role("button", name="Génération fiche Objectif").click()
    assert download.value.suggested_filename == f"Fiche objectif O2 - {cpom['nom']}.docx"
    with open(download.value.path(), "rb") as docx:
        assert docx.read(2) == b"PK"

    # « Grille des objectifs » → « fiche Objectif »
    page.goto(f"/cpom/{cpom['id']}")
    page.locator("#grille").get_by_role("link", name="O1 – Personnaliser l'accompagnement").click()
    expect(page.locator("#objectif-titre")).to_contain_text("O1 – Personnaliser l'accompagnement")
    expect(page.locator("#hierarchie")).to_contain_text("Axe : A1 – Accompagnement")
    expect(page.get_by_text("Tous les établissements du CPOM")).to_be_visible()
    for number in range(1, 6):
        page.get_by_label(re.compile(r"^Nouvelle action")).fill(f"Action numéro {number}")
        press(page, "Enregistrer", "/objectifs/", 303)
        expect(page.locator(".fr-alert--success")).to_contain_text("La fiche objectif est enregistrée.")
    expect(page.locator("#actions > li")).to_have_count(5)
    page.get_by_label(re.compile(r"^Nouvelle action")).fill("Une sixième action")
    press(page, "Enregistrer", "/objectifs/", 422)
    field = page.locator("#nouvelle_action")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#nouvelle_action-erreur")).to_have_text(SIXTH_ACTION)
    # the refused save's summary has the focus, with a link to the field; the field's name is its label alone
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(SIXTH_ACTION)
    expect(summary.get_by_role("link", name="Nouvelle action")).to_have_attribute("href", "#nouvelle_action")
    expect(field).to_have_accessible_name("Nouvelle action")
    expect(field).to_have_accessible_description(f"{SIXTH_ACTION} 5 action(s) sur 5 au plus.")
    expect(page.locator("#actions > li")).to_have_count(5)
    page.screenshot(path="/tmp/cpom_objective.png", full_page=True)

    # « fiche indicateur »: a rate ET par ET
    page.locator("#indicateurs").get_by_role("link", name="PILOT 072-Taux de marge N-1 renseigné dans l'ERSD").click()
    expect(page.locator("#fiche-indicateur")).to_contain_text("Type : Taux")
    expect(page.locator("#fiche-indicateur")).to_contain_text("Déclinaison : ET par ET")
    expect(page.locator("#valeurs tbody tr")).to_have_count(2)
    first, second = org["ets"]
    page.locator(f"#numerateur-{first}").fill("1")
    page.locator(f"#denominateur-{first}").fill("0")
    press(page, "Enregistrer", "/indicateurs/", 422)
    expect(page.locator(f"#denominateur-{first}-erreur")).to_have_text(ZERO_DENOMINATOR)
    failure = page.get_by_role("alert").filter(has_text="Les données envoyées ne sont pas valides")
    expect(failure).to_contain_text("le taux ne peut pas être calculé.")
    expect(failure).not_to_contain_text("calculé..")  # one full stop, never two
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator(f"#numerateur-{first}")).to_have_value("1")
    page.locator(f"#denominateur-{first}").fill("8")
    page.locator(f"#numerateur-{second}").fill("1")
    page.locator(f"#denominateur-{second}").fill("3")
    press(page, "Enregistrer", "/indicateurs/", 303)
    expect(page.locator(f"[data-etablissement='{first}'] [data-taux]")).to_have_text("12,50 %")
    expect(page.locator(f"[data-etablissement='{second}'] [data-taux]")).to_have_text("33,33 %")
    page.screenshot(path="/tmp/cpom_indicator.png", full_page=True)

    # « Remarques » at the end of the grid
    page.goto(f"/cpom/{cpom['id']}#remarques")
    page.get_by_label("Remarque", exact=True).fill("Nous proposons d'ajouter un objectif sur la prévention.")
    press(page, "Enregistrer", "/remarques", 303)
    expect(page.locator("#liste-remarques")).to_contain_text("Nous proposons d'ajouter un objectif sur la prévention.")
    expect(page.locator("#liste-remarques")).to_contain_text(setting["email"])

    # « Transmettre les informations »: refused while incomplete, with what is missing
    press(page, "Transmettre les informations", "/transmettre", 422)
    refusal = page.locator("#transmission-refusee")
    expect(refusal).to_contain_text(f"Indicateur ACC 1 : valeur initiale manquante pour {first}")
    expect(refusal).to_contain_text("Objectif O3 : aucune action renseignée.")

    # the rest entered through the API, then transmitted: version 1, in the history with its changes
    headers = user_headers(gateway, setting["email"])
    for code in ("O2", "O3"):
        put(gateway, headers, cpom["id"], f"/objectifs/{codes[code]['id']}/saisie",
            {"actions": [f"Action pour {code}"], **({"element_selectionne_og": "Prioritaire"} if code == "O2" else {})})
    put(gateway, headers, cpom["id"], f"/indicateurs/{codes['ACC 1']['id']}/valeurs",
        {"valeurs": [{"etablissement": et, "valeur": 40} for et in org["ets"]]})
    put(gateway, headers, cpom["id"], f"/indicateurs/{codes['COOP 1']['id']}/valeurs",
        {"valeurs": [{"valeur": "CH de Dinan"}]})
    put(gateway, headers, cpom["id"], f"/indicateurs/{codes['SOIN 1']['id']}/valeurs",
        {"valeurs": [{"etablissement": first, "valeur": True}]})
    page.goto(f"/cpom/{cpom['id']}")
    press(page, "Transmettre les informations", "/transmettre", 303)
    expect(page.locator(".fr-alert--success")).to_contain_text("version 1 (première transmission)")
    expect(page.locator(".fr-alert--success")).not_to_contain_text("modification")
    expect(page.locator("#transmissions [data-version='1'] summary")).to_contain_text("(première transmission)")
    expect(page.locator("#transmissions [data-version='1']")).to_contain_text("Version 1")
    press(page, "Transmettre les informations", "/transmettre", 303)  # nothing changed since
    expect(page.get_by_role("status").filter(has_text="Rien n'a changé")).to_contain_text(
        "Rien n'a changé depuis la transmission n° 1.")

    # a new remark, transmitted as version 2: the history shows what changed
    page.get_by_label("Remarque", exact=True).fill("Le diagnostic est joint dans « Documents ».")
    press(page, "Enregistrer", "/remarques", 303)
    press(page, "Transmettre les informations", "/transmettre", 303)
    expect(page.locator(".fr-alert--success")).to_contain_text("version 2")
    history = page.locator("#transmissions [data-version='2']")
    history.locator("summary").click()
    expect(history).to_contain_text("Remarque ajoutée")

    # « Documents de référence »: the tutorials of the « chaîne Youtube e-CARS »; then the accessibility statement
    page.get_by_role("link", name="Documents de référence").click()
    expect(page.get_by_role("link", name="Tutoriels vidéo : chaîne YouTube e-CARS")).to_have_attribute(
        "target", "_blank")
    page.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    expect(page.get_by_role("heading", name="Déclaration d'accessibilité")).to_be_visible()
    page.goto("/accueil")

    # axe read every page of the walk, each as it was left
    checked = {re.sub(r"[0-9a-f-]{36}", "<id>", url.split("#")[0].removeprefix(gateway))
               for url in browser.report.checked}
    for step in ("/accueil", f"/ej/{org['finess']}", "/cpom/<id>", "/cpom/<id>/objectifs/<id>",
                 "/cpom/<id>/indicateurs/<id>", "/cpom/<id>/documents-de-reference", "/accessibilite"):
        assert step in checked, (step, checked)


def user_headers(gateway, email: str) -> dict:
    answer = httpx.post(f"{gateway}/api/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def put(gateway, headers, cpom_id: str, path: str, body: dict) -> None:
    answer = httpx.put(api(gateway, f"/cpoms/{cpom_id}{path}"), headers=headers, json=body)
    assert answer.status_code == 200, answer.text


def test_documents_of_the_cpom(page: Page, browser, gateway, stack, setting):
    cpom = setting["cpom"]
    documents_grant(stack, setting["user_id"], cpom["id"], confidential=False)
    log_in(page, setting["email"])
    page.goto(f"/cpom/{cpom['id']}#documents")
    documents = page.locator("#documents")
    folders = documents.locator("[data-folder]")
    expect(folders.first).to_be_visible()
    names = [name.strip() for name in documents.locator(".ecars-folder__label").all_inner_texts()]
    assert "Diagnostic" in names and "Documents confidentiels" not in names, names
    add = page.get_by_role("button", name="Ajouter un fichier")
    expect(add).to_be_disabled()

    documents.locator(".ecars-folder__label", has_text="Diagnostic").click()
    expect(add).to_be_enabled()
    page.locator("#fichier").set_input_files({"name": "diagnostic partagé.txt", "mimeType": "text/plain",
                                              "buffer": "Diagnostic de l'établissement\n".encode()})
    press(page, "Ajouter un fichier", "/documents", 303)
    expect(page.locator(".fr-alert--success")).to_contain_text("« diagnostic partagé.txt » a été ajouté")
    diagnostic = documents.locator("[data-folder='Diagnostic']")
    expect(diagnostic).to_contain_text("(1 document)")
    link = diagnostic.get_by_role("link", name="diagnostic partagé.txt")
    expect(link).to_be_visible()  # the folder it was added to is open
    answer = page.request.get(link.get_attribute("href"))
    assert answer.status == 200 and answer.text() == "Diagnostic de l'établissement\n"

    # the server refuses an upload without a folder (the button is only greyed out in the browser)
    refused = page.request.post(f"/cpom/{cpom['id']}/documents", multipart={
        "csrf_token": page.locator("#ajout-fichier input[name=csrf_token]").input_value(),
        "fichier": {"name": "x.txt", "mimeType": "text/plain", "buffer": b"x"}}, max_redirects=0)
    assert refused.status == 303  # back to the sheet: a reload never sends the file again
    assert refused.headers["location"].endswith(f"/cpom/{cpom['id']}#documents")
    page.goto(refused.headers["location"])
    expect(page.locator("#documents")).to_contain_text("abord le dossier dans lequel")

    # a user with « Visibilité documents confidentiels » sees the confidential folder
    trusted_email, trusted_id = active_user(stack)
    grant(stack, trusted_id, "cpom", cpom["id"])
    documents_grant(stack, trusted_id, cpom["id"], confidential=True)
    context = browser.new_context(locale="fr-FR", base_url=gateway)
    try:
        other = context.new_page()
        log_in(other, trusted_email)
        other.goto(f"/cpom/{cpom['id']}#documents")
        expect(other.locator("#documents .ecars-folder__label", has_text="Documents confidentiels")).to_be_visible()
    finally:
        context.close()


def test_the_ars_moves_the_status_and_gives_its_validation(page: Page, gateway, stack, ars, setting):
    cpom = setting["cpom"]
    log_in(page, ars.email)
    page.goto(f"/cpom/{cpom['id']}")
    expect(page.get_by_role("button", name="Transmettre les informations")).to_have_count(0)  # the gestionnaire's
    expect(page.get_by_role("button", name="Donner la validation CD")).to_have_count(0)  # the CD's
    expect(page.get_by_role("link", name="Gérer les accès")).to_have_attribute("href",
                                                                              f"/habilitations/cpom/{cpom['id']}")
    page.get_by_label("Nouveau statut").select_option(label="2 Lancement")
    press(page, "Changer le statut", "/statut", 303)
    expect(page.locator(".fr-alert--success")).to_contain_text("« 2 Lancement »")
    expect(page.locator("#fiche-cpom")).to_contain_text("Statut : 2 Lancement")
    press(page, "Donner la validation ARS", "/validation", 303)
    expect(page.locator("#validation-ars")).to_contain_text("Validation ARS : Oui")
    expect(page.locator("#validation-cd")).to_contain_text("Validation CD : Non")
    press(page, "Retirer la validation ARS", "/validation", 303)
    expect(page.locator("#validation-ars")).to_contain_text("Validation ARS : Non")
    # the ARS sees every folder, « Documents confidentiels » included
    expect(page.locator("#documents .ecars-folder__label", has_text="Documents confidentiels")).to_be_visible()
