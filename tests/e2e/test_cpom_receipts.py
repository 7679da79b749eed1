"""« Accusé de transmission » (docs/receipts.md): the receipt of a CPOM transmission, downloaded through the gateway
and emailed with its PDF to the EJ's contacts (the « Equipe Etablissement » and who transmitted): the folders'
documents with their sha256, never those of the « Documents confidentiels »."""

import hashlib
import time
import uuid
from urllib.parse import quote

import httpx

from tests.e2e.test_cpom_transmission import ars as ars  # noqa: F401 (the fixture)
from tests.e2e.test_cpom_transmission import fill_in, transmit
from tests.e2e.test_cpom_transmission import setting as setting  # noqa: F401 (the fixture)
from tests.support.cpom import api, user
from tests.support.db import rows
from tests.support.identity import web_session
from tests.support.receipts import attached_pdf, pdf_text, wait_for_receipt_email

TITLE = "Accusé de transmission"


def receipt(gateway, who, cpom_id, version) -> httpx.Response:
    return httpx.get(f"{gateway}/api/reporting/cpoms/{cpom_id}/transmissions/{version}/receipt.pdf",
                     headers=who.headers, timeout=120)


def folder_upload(gateway, who, cpom_id, folder: str, name: str, content: bytes) -> None:
    tree = httpx.get(f"{gateway}/api/documents/cpoms/{cpom_id}/folders", headers=who.headers).json()
    folder_id = next(f["id"] for f in tree["items"] if f["name"] == folder)
    answer = httpx.post(f"{gateway}/api/documents/cpoms/{cpom_id}/folders/{folder_id}/documents", content=content,
                        headers={**who.headers, "X-File-Name": quote(name, safe=""),
                                 "Content-Type": "application/octet-stream"}, timeout=60)
    assert answer.status_code == 201, answer.text


def wait_for_folder_documents(stack, cpom_id: str, count: int) -> None:
    deadline = time.monotonic() + 15  # cpom learns of them from documents.document.added
    while time.monotonic() < deadline:
        if len(rows(stack, "SELECT 1 FROM cpom.folder_documents WHERE cpom_id = %s", cpom_id)) >= count:
            return
        time.sleep(0.2)
    raise AssertionError("cpom never learnt of the folder documents")


def test_a_transmission_has_its_receipt_downloaded_and_emailed_without_the_confidential_documents(
        gateway, stack, mailbox, setting, ars, tmp_path):
    cpom_id, gestionnaire = setting["cpom"]["id"], setting["gestionnaire"]
    shared, secret = f"Diagnostic {uuid.uuid4()}\n".encode(), f"Rémunérations {uuid.uuid4()}\n".encode()
    folder_upload(gateway, ars, cpom_id, "Diagnostic", "Diagnostic partagé.txt", shared)
    folder_upload(gateway, ars, cpom_id, "Documents confidentiels", "Rémunérations.txt", secret)
    wait_for_folder_documents(stack, cpom_id, 2)
    fill_in(gateway, setting)
    assert receipt(gateway, gestionnaire, cpom_id, 1).status_code == 404  # not transmitted yet
    assert transmit(gateway, gestionnaire, cpom_id).status_code == 201

    data = httpx.get(api(gateway, f"/cpoms/{cpom_id}/transmissions/1/receipt"), headers=gestionnaire.headers).json()
    assert data["by"] == gestionnaire.email and data["fill_percentage"] == 100
    assert [(a["where"], a["name"]) for a in data["attachments"]] == [("Diagnostic", "Diagnostic partagé.txt")]
    for who in (gestionnaire, ars):
        answer = receipt(gateway, who, cpom_id, 1)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf", answer.text
        text = pdf_text(answer.content, tmp_path)
        assert TITLE in text and data["hash"] in text and hashlib.sha256(shared).hexdigest() in text
        assert "Transmission n° 1" in text and gestionnaire.email in text
        assert hashlib.sha256(secret).hexdigest() not in text and "Rémunérations" not in text

    for contact in ("jeromerenaud@gmail.com", gestionnaire.email):  # the Equipe Etablissement, who transmitted
        # the demo's Equipe Etablissement receives the receipts of the other tests' transmissions too: this one's
        # is the email whose PDF prints this transmission's hash, once
        deadline = time.monotonic() + 90
        while True:
            texts = [pdf_text(attached_pdf(email)[1], tmp_path, f"emailed-{i}")
                     for i, email in enumerate(wait_for_receipt_email(mailbox, contact, TITLE))]
            mine = [text for text in texts if data["hash"] in text]
            if mine or time.monotonic() > deadline:
                break
            time.sleep(1)
        [text] = mine
        assert hashlib.sha256(shared).hexdigest() in text and hashlib.sha256(secret).hexdigest() not in text
    assert not [m for m in mailbox.messages("arsmedico2@e-cars.test") if TITLE in (m["subject"] or "")]

    # the CPOM's page links the receipt of each transmission, and the link gives the same PDF
    browser = web_session(gateway, gestionnaire.email)
    link = f"/cpom/{cpom_id}/transmissions/1/accuse.pdf"
    assert f'href="{link}"' in browser.get(f"/cpom/{cpom_id}").text
    page_pdf = browser.get(link)
    assert page_pdf.status_code == 200 and page_pdf.headers["content-type"] == "application/pdf"
    assert data["hash"] in pdf_text(page_pdf.content, tmp_path, "from-the-page")


def test_the_receipt_of_an_unknown_transmission_or_for_a_stranger_is_refused(gateway, stack, setting):
    cpom_id, gestionnaire = setting["cpom"]["id"], setting["gestionnaire"]
    fill_in(gateway, setting)
    assert transmit(gateway, gestionnaire, cpom_id).status_code == 201
    for version in (2, 0, 2**40):
        refused = receipt(gateway, gestionnaire, cpom_id, version)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found", version
    stranger = user(stack, gateway)
    refused = receipt(gateway, stranger, cpom_id, 1)
    assert refused.status_code in (403, 404) and set(refused.json()["error"]) == {"code", "message", "details"}
    assert receipt(gateway, gestionnaire, uuid.uuid4(), 1).status_code in (403, 404)
    assert httpx.get(f"{gateway}/api/reporting/cpoms/{cpom_id}/transmissions/un/receipt.pdf",
                     headers=gestionnaire.headers).status_code == 404
