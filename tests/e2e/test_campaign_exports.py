"""Exports for analysts (issue 17 §4): the whole campaign as XLSX (read back by LibreOffice) and CSV, one row per
contract × indicator question or one row per contract with a column per question; the attachments of a contract
or of a selection as one ZIP named by EJ and indicator."""

import csv
import io
import time
import zipfile
from datetime import date
from urllib.parse import quote

import httpx
import pytest

from tests.support.campaigns import in_days, make_campaign
from tests.support.identity import active_user, bearer, sign_in
from tests.support.samples import pdf
from tests.support.spreadsheets import libreoffice_rows

ANSWERS = {"ACC01": ({"REALISE": 42}, "=1+2 accompagnés"), "ACC02": ({"REALISE": "92,5"}, ""),
           "SOI01": ({"REALISE": "oui"}, ""), "PAR01": ({"REALISE": "15/03/2023", "NOTE": "@suivi ARS"}, "")}
QUESTIONS = 8  # of the test template's six indicators
HEAD = ["FINESS juridique", "Raison sociale", "Département", "Contrat", "Statut", "Remplissage (%)", "Date de clôture",
        "Clos le", "Dernière saisie le"]


def french(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y")


@pytest.fixture(scope="module")
def campaign(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=in_days(10), contracts=2)
    filled = setup.members[0]
    for code, (answers, comment) in ANSWERS.items():
        saved = httpx.put(f"{gateway}/api/contracts/contracts/{filled.contract_id}/indicators/{code}",
                          headers=bearer(filled.tokens), json={"version": 0, "answers": answers, "comment": comment})
        assert saved.status_code == 200, saved.text
    return setup


def export(gateway, setup, tokens=None, **params):
    return httpx.get(setup.url(gateway, "/export"), params=params, headers=bearer(tokens or setup.ars), timeout=60)


def by_key(table: list[list[str]], *columns: str) -> dict:
    header = table[0]
    return {tuple(row[header.index(c)] for c in columns): dict(zip(header, row, strict=True)) for row in table[1:]}


def test_the_xlsx_one_row_per_contract_and_indicator_as_libreoffice_reads_it(gateway, campaign, tmp_path):
    answer = export(gateway, campaign, format="xlsx", shape="long")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "contrat-indicateur" in answer.headers["content-disposition"]
    table = libreoffice_rows(answer.content, tmp_path)
    assert table[0] == HEAD + ["Code indicateur", "Indicateur", "Catégorie", "Question", "Valeur", "Commentaire",
                               "Saisi le", "Messages", "Dernier message le", "À suivre"]
    assert len(table) == 1 + 2 * QUESTIONS
    filled, empty = campaign.members
    rows = by_key(table, "FINESS juridique", "Code indicateur", "Question")
    first = rows[(filled.finess, "ACC01", "Réalisé")]
    assert first["Raison sociale"] == f"EJ {filled.finess}" and first["Département"] == "22"
    assert first["Statut"] == "AUTO-EVALUATION" and first["Remplissage (%)"] == "57"  # 4 of 7 required
    assert first["Date de clôture"] == french(in_days(10)) and first["Clos le"] == ""
    assert first["Valeur"] == "42" and first["Indicateur"] == "Nombre de personnes accompagnées"
    assert first["Commentaire"] == "=1+2 accompagnés"  # a text, not a formula LibreOffice ran
    assert first["Saisi le"].startswith(time.strftime("%d/%m/%Y")[:6])
    assert rows[(filled.finess, "ACC02", "Réalisé")]["Valeur"] == "92.5"
    assert rows[(filled.finess, "SOI01", "Réalisé")]["Valeur"] == "Oui"
    assert rows[(filled.finess, "PAR01", "Réalisé")]["Valeur"] == "15/03/2023"
    assert rows[(filled.finess, "PAR01", "Précisions")]["Valeur"] == "@suivi ARS"
    assert rows[(filled.finess, "PIL02", "Effectif total")]["Valeur"] == ""
    assert rows[(empty.finess, "ACC01", "Réalisé")]["Remplissage (%)"] == "0"


def test_the_xlsx_one_row_per_contract_with_a_column_per_question(gateway, campaign, tmp_path):
    answer = export(gateway, campaign, format="xlsx", shape="wide")
    assert answer.status_code == 200, answer.text
    table = libreoffice_rows(answer.content, tmp_path)
    assert table[0][:len(HEAD)] == HEAD
    assert table[0][len(HEAD):len(HEAD) + 4] == ["ACC01 – Réalisé", "ACC01 – Commentaire", "ACC02 – Réalisé",
                                                 "ACC02 – Commentaire"]
    assert "PIL02 – Agents formés" in table[0] and "PIL02 – Effectif total" in table[0]
    assert len(table) == 3
    filled = by_key(table, "FINESS juridique")[(campaign.members[0].finess,)]
    assert filled["ACC01 – Réalisé"] == "42" and filled["ACC01 – Commentaire"] == "=1+2 accompagnés"
    assert filled["ACC02 – Réalisé"] == "92.5" and filled["PAR01 – Réalisé"] == "15/03/2023"


def test_the_csv_in_both_shapes_as_a_french_spreadsheet_opens_it(gateway, campaign):
    answer = export(gateway, campaign, format="csv", shape="long")
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert len(table) == 1 + 2 * QUESTIONS
    rows = by_key(table, "FINESS juridique", "Code indicateur", "Question")
    filled = campaign.members[0].finess
    assert rows[(filled, "ACC02", "Réalisé")]["Valeur"] == "92,5"
    assert rows[(filled, "ACC01", "Réalisé")]["Commentaire"] == "'=1+2 accompagnés"  # never run as a formula
    assert rows[(filled, "PAR01", "Précisions")]["Valeur"] == "'@suivi ARS"
    assert rows[(filled, "ACC01", "Réalisé")]["Date de clôture"] == french(in_days(10))
    wide = export(gateway, campaign, format="csv", shape="wide")
    table = list(csv.reader(io.StringIO(wide.content.decode("utf-8-sig")), delimiter=";"))
    assert len(table) == 3 and by_key(table, "FINESS juridique")[(filled,)]["SOI01 – Réalisé"] == "Oui"


def test_the_export_takes_the_progress_filters_and_refuses_bad_input(gateway, stack, campaign):
    only_filled = export(gateway, campaign, format="csv", shape="wide", fill_min="50")
    assert len(only_filled.content.decode("utf-8-sig").strip().splitlines()) == 2
    closed = export(gateway, campaign, format="csv", shape="wide", status="CONSULTATION")
    assert len(closed.content.decode("utf-8-sig").strip().splitlines()) == 1  # the header only
    for params, field in (({"format": "pdf"}, "format"), ({"shape": "tall"}, "shape"), ({"fill_min": "x"}, "fill_min"),
                          ({"status": "FINI"}, "status")):
        answer = export(gateway, campaign, **params)
        assert answer.status_code == 422 and field in answer.json()["error"]["details"], params
    assert export(gateway, campaign, campaign.members[0].tokens).status_code == 403
    stranger, _ = active_user(stack, role="ars", region="Normandie")
    assert export(gateway, campaign, sign_in(gateway, stranger)).status_code == 404


def upload(gateway, member, code, name, content):
    answer = httpx.post(f"{gateway}/api/documents/indicators/{member.contract_id}/{code}/documents", content=content,
                        headers={**bearer(member.tokens), "Content-Type": "application/octet-stream",
                                 "X-File-Name": quote(name, safe="")}, timeout=60)
    assert answer.status_code == 201, answer.text


def wait_for_documents(gateway, setup, count, timeout=20):
    """contracts learns of a document by documents.document.added: wait until it lists them all."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = httpx.get(setup.url(gateway, "/attachments"), headers=bearer(setup.ars), timeout=60)
        names = [n for n in zipfile.ZipFile(io.BytesIO(answer.content)).namelist() if n != "LISEZMOI.txt"]
        if len(names) >= count:
            return
        time.sleep(0.3)
    raise AssertionError("the contracts service never learnt of the documents")


def test_the_attachments_of_a_contract_or_a_selection_as_one_zip(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=None, contracts=3)
    first, second, third = setup.members
    report = pdf()
    upload(gateway, first, "ACC01", "Rapport d'activité.pdf", report)
    upload(gateway, first, "ACC01", "Rapport d'activité.pdf", report + b"%second\n")
    upload(gateway, second, "SOI01", "Convention.pdf", report)
    upload(gateway, third, "ACC02", "Taux.pdf", report)
    wait_for_documents(gateway, setup, 4)

    one = httpx.get(f"{gateway}/api/contracts/contracts/{first.contract_id}/attachments", headers=bearer(first.tokens),
                    timeout=60)
    assert one.status_code == 200 and one.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(one.content))
    folder = f"{first.finess} EJ {first.finess}/ACC01 Nombre de personnes accompagnées"
    assert archive.namelist() == [f"{folder}/Rapport d'activité.pdf", f"{folder}/Rapport d'activité (2).pdf"]
    assert archive.read(f"{folder}/Rapport d'activité.pdf") == report
    assert archive.testzip() is None

    chosen = httpx.get(setup.url(gateway, "/attachments"), headers=bearer(setup.ars), timeout=60,
                       params=[("contract_id", first.contract_id), ("contract_id", second.contract_id)])
    assert chosen.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(chosen.content)).namelist()
    assert len(names) == 3 and f"{second.finess} EJ {second.finess}/SOI01 Convention soins palliatifs/" \
                                "Convention.pdf" in names
    assert not any(third.finess in name for name in names)

    bad = httpx.get(setup.url(gateway, "/attachments"), headers=bearer(setup.ars), params={"contract_id": "x"})
    assert bad.status_code == 422 and "contract_id" in bad.json()["error"]["details"]
    assert httpx.get(setup.url(gateway, "/attachments"), headers=bearer(first.tokens)).status_code == 403
    assert httpx.get(f"{gateway}/api/contracts/contracts/{first.contract_id}/attachments",
                     headers=bearer(second.tokens)).status_code == 404
