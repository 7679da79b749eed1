"""« EDITER LES DONNEES »: the Word export, opened back with python-docx and converted to PDF by LibreOffice."""

import io
import shutil
import subprocess

import docx
import httpx

from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.identity import active_user, bearer, sign_in


def export(gateway, setup, tokens=None) -> httpx.Response:
    return httpx.get(f"{gateway}/api/reporting/contracts/{setup.contract_id}/export.docx",
                     headers=bearer(tokens or setup.member), timeout=30)


def all_text(document: docx.Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_the_provisional_export_lists_every_indicator_filled_or_not(gateway, stack, tmp_path):
    setup = make_contract(gateway, stack)
    assert save(gateway, setup, "ACC01", {"REALISE": 42}, comment="Selon le rapport d'activité").status_code == 200
    answer = export(gateway, setup)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''Auto-%C3%A9valuation" in answer.headers["content-disposition"]
    text = all_text(docx.Document(io.BytesIO(answer.content)))
    for label in ("Nombre de personnes accompagnées", "Taux d'occupation", "Convention soins palliatifs",
                  "Date de la dernière évaluation", "Démarche qualité", "Personnel formé"):
        assert label in text
    assert "Selon le rapport d'activité" in text and "42" in text
    assert "Extraction provisoire" in text and "AUTO-EVALUATION" in text
    assert "Commentaire évalué 2023" in text

    path = tmp_path / "export.docx"
    path.write_bytes(answer.content)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by `make test` (Debian's libreoffice-writer-nogui)"
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, timeout=120, capture_output=True)
    pdf_text = subprocess.run(["pdftotext", str(tmp_path / "export.pdf"), "-"], check=True, capture_output=True,
                              text=True).stdout
    pdf_text = " ".join(pdf_text.split())  # table cells wrap their text over several lines
    for code_label in ("Nombre de personnes", "Démarche qualité", "Personnel formé"):
        assert code_label in pdf_text


def test_a_closed_contract_export_prints_its_receipt_hash(gateway, stack):
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers)
    receipt = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).json()["receipt_hash"]
    text = all_text(docx.Document(io.BytesIO(export(gateway, setup).content)))
    assert receipt in text and "CONSULTATION" in text and "Extraction provisoire" not in text
    assert "15/03/2023" in text and "Oui" in text and "92,5 %" in text


def test_export_follows_the_contract_access_rules(gateway, stack):
    setup = make_contract(gateway, stack)
    stranger = sign_in(gateway, active_user(stack)[0])
    refused = export(gateway, setup, stranger)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{gateway}/api/reporting/contracts/{setup.contract_id}/export.docx").status_code == 401
