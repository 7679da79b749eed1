"""Reading a receipt PDF back as its reader does: pdftotext, whitespace runs made one space; and the receipt
emails of the mail sink with their PDF attachment."""

import base64
import subprocess
import time
from pathlib import Path


def pdf_text(content: bytes, tmp_path: Path, name: str = "receipt") -> str:
    assert content.startswith(b"%PDF-"), content[:40]
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return " ".join(text.split())


def receipt_emails(mailbox, to: str, title: str) -> list[dict]:
    return [m for m in mailbox.messages(to) if title in (m["subject"] or "")]


def attached_pdf(message: dict) -> tuple[str, bytes]:
    pdfs = [a for a in message["attachments"] if a["content_type"] == "application/pdf"]
    assert len(pdfs) == 1, message["attachments"]
    return pdfs[0]["filename"], base64.b64decode(pdfs[0]["base64"])


def wait_for_receipt_email(mailbox, to: str, title: str, timeout: float = 90) -> list[dict]:
    """The receipt emails to `to` once one has come (the reporting worker converts with LibreOffice: seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := receipt_emails(mailbox, to, title):
            return found
        time.sleep(0.5)
    raise AssertionError(f"no « {title} » email to {to}")
