"""Proof of closing and of transmission (docs/receipts.md): the receipt PDF downloaded through the gateway and
emailed, attached, to the EJ's contacts — read back with pdftotext, its hashes checked against what was stored."""

import hashlib
import time
import uuid
from urllib.parse import quote

import httpx

from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in
from tests.support.receipts import attached_pdf, pdf_text, receipt_emails, wait_for_receipt_email
from tests.support.web import web_client

CLOSING = "Accusé de clôture de la saisie"


def receipt(gateway, setup, tokens) -> httpx.Response:
    return httpx.get(f"{gateway}/api/reporting/contracts/{setup.contract_id}/receipt.pdf", headers=bearer(tokens),
                     timeout=120)


def attach(gateway, setup, code: str, name: str, content: bytes) -> None:
    url = f"{gateway}/api/documents/indicators/{setup.contract_id}/{code}/documents"
    answer = httpx.post(url, content=content, headers={**bearer(setup.member), "X-File-Name": quote(name, safe=""),
                                                       "Content-Type": "application/octet-stream"}, timeout=60)
    assert answer.status_code == 201, answer.text
    deadline = time.monotonic() + 15  # contracts learns of it from documents.document.added
    while time.monotonic() < deadline:
        shown = httpx.get(setup.url(gateway, f"/indicators/{code}"), headers=bearer(setup.member)).json()
        if any(d["name"] == name for d in shown["documents"]):
            return
        time.sleep(0.2)
    raise AssertionError(f"{name} never listed on {code}")


def test_a_closed_contract_has_its_receipt_downloaded_and_emailed_to_the_ej_contacts(gateway, stack, mailbox,
                                                                                      tmp_path):
    setup = make_contract(gateway, stack)
    content = f"Rapport d'activité {uuid.uuid4()}\n".encode()
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers)
    attach(gateway, setup, "ACC01", "Rapport d'activité 2023.txt", content)

    early = receipt(gateway, setup, setup.member)  # before closing: nothing to download
    assert early.status_code == 404 and early.json()["error"]["code"] == "not_found"
    closed = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member))
    assert closed.status_code == 200
    digest = closed.json()["receipt_hash"]
    sha256 = hashlib.sha256(content).hexdigest()

    for who in (setup.member, setup.ars):  # the EJ's member and the ARS of the region download it
        answer = receipt(gateway, setup, who)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/pdf"
        assert "filename*=UTF-8''Accus%C3%A9%20de%20cl%C3%B4ture" in answer.headers["content-disposition"]
        text = pdf_text(answer.content, tmp_path)
        assert CLOSING in text and digest in text and sha256 in text
        assert "Rapport d'activité 2023.txt" in text and "100 %" in text and setup.member_email in text
        assert f"{setup.finess} - EJ {setup.finess}" in text and "(heure de Paris)" in text

    [email] = wait_for_receipt_email(mailbox, setup.member_email, CLOSING)
    filename, attached = attached_pdf(email)
    assert filename.startswith(CLOSING) and filename.endswith(".pdf")
    text = pdf_text(attached, tmp_path, "emailed")
    assert digest in text and sha256 in text
    assert digest in email["text"] and f"/contrats/{setup.contract_id}" in email["text"]
    # exactly once: one delivery logged for that event and recipient, one email in the sink
    deliveries = rows(stack, "SELECT recipient, status FROM notifications.deliveries "
                             "WHERE event_type = 'reporting.receipt.ready' AND recipient = %s", setup.member_email)
    assert deliveries == [{"recipient": setup.member_email, "status": "sent"}]
    assert len(receipt_emails(mailbox, setup.member_email, CLOSING)) == 1


def test_the_receipt_follows_the_contract_access_rules_and_refuses_bad_ids(gateway, stack):
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers)
    assert httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).status_code == 200
    stranger = sign_in(gateway, active_user(stack)[0])
    other_ars = sign_in(gateway, active_user(stack, role="ars", region="Normandie")[0])
    for tokens in (stranger, other_ars):
        refused = receipt(gateway, setup, tokens)
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    unknown = httpx.get(f"{gateway}/api/reporting/contracts/{uuid.uuid4()}/receipt.pdf", headers=bearer(setup.member))
    assert unknown.status_code == 404 and set(unknown.json()["error"]) == {"code", "message", "details"}
    assert httpx.get(f"{gateway}/api/reporting/contracts/pas-un-id/receipt.pdf",
                     headers=bearer(setup.member)).status_code == 404
    assert httpx.get(f"{gateway}/api/reporting/contracts/{setup.contract_id}/receipt.pdf").status_code == 401
    data = httpx.get(setup.url(gateway, "/receipt"), headers=bearer(setup.ars))
    assert data.status_code == 200 and data.json()["fill_percentage"] == 100 and data.json()["by"] == setup.member_email


def test_the_closed_contract_page_links_its_receipt_and_the_open_one_does_not(gateway, stack, tmp_path):
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers)
    with web_client(gateway, setup.member_email) as client:
        page = f"/contrats/{setup.contract_id}"
        assert "accuse-de-cloture.pdf" not in client.get(page).text
        digest = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).json()["receipt_hash"]
        shown = client.get(page)
        assert shown.status_code == 200 and f'href="{page}/accuse-de-cloture.pdf"' in shown.text
        assert "Télécharger l'accusé de clôture de la saisie" in shown.text
        pdf = client.get(f"{page}/accuse-de-cloture.pdf", timeout=120)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.headers["cache-control"] == "private, no-store"
        assert digest in pdf_text(pdf.content, tmp_path)
