"""The CPOM grids of a territory for analysts (issue 17 §4, « Same for the CPOM grid of a territory »): every CPOM
an ARS (its region) or a CD (its département) may open, one row per CPOM × objective × indicator × ET, as XLSX
(read back by LibreOffice) and CSV, through the API and the web UI; refused to others and for bad input."""

import csv
import io

import httpx
import pytest

from tests.e2e.test_cpom_transmission import ars, fill_in, setting  # noqa: F401 (fixtures)
from tests.support.cpom import api, user
from tests.support.identity import web_session
from tests.support.spreadsheets import libreoffice_rows

HEAD = ["FINESS juridique", "Raison sociale", "Département", "CPOM", "Statut du CPOM", "Compétence",
        "Départements concernés", "Axe", "Code objectif", "Objectif", "Code indicateur", "Indicateur", "Type",
        "Catégorie", "Déclinaison", "FINESS géographique", "Etablissement (ET)", "Valeur initiale", "Numérateur",
        "Dénominateur", "Saisie le", "Saisie par", "Remarques du CPOM"]
URL = "/territoire/grilles/export"


@pytest.fixture()
def filled(gateway, setting):  # noqa: F811
    fill_in(gateway, setting)
    remark = httpx.post(api(gateway, f"/cpoms/{setting['cpom']['id']}/remarques"),
                        headers=setting["gestionnaire"].headers, json={"texte": "=Valeurs 2023 provisoires"})
    assert remark.status_code == 201, remark.text
    return setting


def of_ej(table: list[list[str]], finess: str) -> list[dict]:
    header = table[0]
    return [dict(zip(header, row, strict=True)) for row in table[1:] if row and row[0] == finess]


def expected_lines(done) -> list[tuple]:
    """(objective, indicator, ET, initial value as shown, numerator) of the grid filled by fill_in."""
    first, second = done["org"]["ets"]
    return [("O1", "PILOT 072", first, "8", "8"), ("O1", "PILOT 072", second, "8", "8"),
            ("O1", "ACC 1", first, "40", ""), ("O1", "ACC 1", second, "40", ""),
            ("O2", "COOP 1", "", "CH de Dinan", ""), ("O2", "SOIN 1", first, "Oui", ""), ("O3", "", "", "", "")]


def test_the_xlsx_of_the_territory_one_row_per_cpom_objective_indicator_and_et(gateway, filled, ars, tmp_path):  # noqa: F811
    answer = httpx.get(api(gateway, URL), headers=ars.headers, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "grilles-cpom-Bretagne-" in answer.headers["content-disposition"]
    table = libreoffice_rows(answer.content, tmp_path, "grilles")
    assert table[0] == HEAD
    rows = of_ej(table, filled["org"]["finess"])
    assert [(r["Code objectif"], r["Code indicateur"], r["FINESS géographique"], r["Valeur initiale"],
             r["Numérateur"]) for r in rows] == expected_lines(filled)
    rate = rows[0]
    assert (rate["CPOM"], rate["Statut du CPOM"], rate["Compétence"], rate["Départements concernés"]) == (
        filled["cpom"]["nom"], filled["cpom"]["statut"]["libelle"], "Conjointe", "22")
    assert (rate["Département"], rate["Axe"], rate["Type"], rate["Déclinaison"], rate["Dénominateur"]) == (
        "22", "A1 - Accompagnement", "Taux", "ET par ET", "100")
    assert rate["Etablissement (ET)"].startswith("ET ") and rate["Saisie par"] == filled["gestionnaire"].email
    assert len(rate["Saisie le"]) == 16 and rate["Saisie le"][2] == "/"  # JJ/MM/AAAA hh:mm, a typed moment
    assert rate["Remarques du CPOM"].endswith(f"{filled['gestionnaire'].email} : =Valeurs 2023 provisoires")


def test_the_csv_for_the_cd_and_refusals(gateway, stack, filled):
    cd = user(stack, gateway, role="cd", departement="22")
    answer = httpx.get(api(gateway, URL), params={"format": "csv"}, headers=cd.headers, timeout=60)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    rows = of_ej(table, filled["org"]["finess"])
    assert [(r["Code objectif"], r["Code indicateur"], r["FINESS géographique"], r["Valeur initiale"],
             r["Numérateur"]) for r in rows] == expected_lines(filled)
    assert rows[0]["Remarques du CPOM"].endswith(f"{filled['gestionnaire'].email} : =Valeurs 2023 provisoires")

    other = user(stack, gateway, role="cd", departement="29")
    elsewhere = httpx.get(api(gateway, URL), params={"format": "csv"}, headers=other.headers, timeout=60)
    assert elsewhere.status_code == 200 and filled["org"]["finess"] not in elsewhere.text
    refused = httpx.get(api(gateway, URL), headers=filled["gestionnaire"].headers)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    bad = httpx.get(api(gateway, URL), params={"format": "pdf"}, headers=cd.headers)
    assert bad.status_code == 422 and "format" in bad.json()["error"]["details"]


def test_the_back_office_page_offers_the_territory_grids(gateway, stack, filled, ars):  # noqa: F811
    browser = web_session(gateway, ars.email)
    page = browser.get("/suivi-des-transmissions")
    assert page.status_code == 200 and "Exporter les grilles CPOM du territoire" in page.text
    assert 'href="/suivi-des-transmissions/grilles-cpom?format=csv"' in page.text
    answer = browser.get("/suivi-des-transmissions/grilles-cpom?format=csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert filled["cpom"]["nom"] in answer.content.decode("utf-8-sig")
    assert browser.get("/suivi-des-transmissions/grilles-cpom?format=pdf").status_code == 404
    establishment = web_session(gateway, filled["gestionnaire"].email)
    assert establishment.get("/suivi-des-transmissions/grilles-cpom?format=csv").status_code == 403
