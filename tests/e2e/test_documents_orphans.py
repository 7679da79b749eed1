"""A document stored in S3 whose metadata row was lost (issue 15, item 6): `python -m services.documents
reconcile-objects` finds the objects of the bucket without a row, older than the grace period, records them, and the
documents support dashboard lists them (JSON and the web page) instead of leaving them invisible.

The orphan is made for real: the service's own upload code (upload.receive: checks, then S3 through storage.S3 under
the key layout domain.stored_key, with the object's user metadata) stores the file, and the row's insert never
happens — what a database connection dying after the upload leaves (tests/reliability/test_database_faults.py
kills one there)."""

import json
import subprocess
import sys
import uuid
from urllib.parse import quote

import httpx
import pytest

from services.documents import domain, storage, upload
from services.documents.config import Config
from tests.support import samples
from tests.support.identity import active_user, bearer, sign_in
from tests.support.web import web_client


def reconcile_objects(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.documents", "reconcile-objects", *args], env=stack.env(),
                          capture_output=True, text=True, timeout=120)


def report(stack, *args: str) -> dict:
    done = reconcile_objects(stack, *args)
    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(line)


@pytest.fixture
def documents_config(stack, monkeypatch) -> Config:
    for name, value in stack.env().items():
        monkeypatch.setenv(name, value)
    return Config()


def orphan_upload(config: Config, region: str, user_id: str, name: str) -> str:
    """The file stored by the service's upload code as an upload does, then no row (the insert failed)."""
    owner = domain.Owner("reference", region=region)
    document_id = str(uuid.uuid4())
    key = domain.stored_key(owner, document_id)
    incoming = upload.Incoming(name, "pdf", iter([samples.pdf()]))
    upload.receive(incoming, config, storage.S3(config), key,
                   storage.object_metadata(document_id, name, owner.event_data(), user_id))
    return key


def orphaned(gateway: str, tokens: dict) -> list[dict]:
    answer = httpx.get(f"{gateway}/api/documents/dashboard/orphaned-objects", headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_an_object_whose_row_was_lost_is_found_and_listed_for_support(stack, gateway, documents_config):
    region = f"Guyane {uuid.uuid4().hex[:6]}"
    ars_email, ars_id = active_user(stack, role="ars", region=region)
    ars = sign_in(gateway, ars_email)
    support_email, _ = active_user(stack, role="support")
    support = sign_in(gateway, support_email)
    kept = httpx.post(f"{gateway}/api/documents/references/{quote(region)}", content=samples.pdf(), timeout=60,
                      headers={**bearer(ars), "Content-Type": "application/octet-stream", "X-File-Name": "Guide.pdf"})
    assert kept.status_code == 201, kept.text
    kept_key = f"reference/{kept.json()['id']}"
    key = orphan_upload(documents_config, region, ars_id, "Budget prévisionnel 2024.pdf")
    listed = httpx.get(f"{gateway}/api/documents/references/{quote(region)}", headers=bearer(ars)).json()["items"]
    assert [d["id"] for d in listed] == [kept.json()["id"]], "the orphan is invisible to its uploader"

    recent = report(stack, "--grace-seconds", "3600")  # just uploaded: maybe an upload still in progress
    assert key not in recent["found"] and key not in [o["key"] for o in orphaned(gateway, support)]

    dry = report(stack, "--grace-seconds", "0", "--dry-run")
    assert dry["dry_run"] is True and key in dry["found"] and kept_key not in dry["found"]
    assert key not in [o["key"] for o in orphaned(gateway, support)], "a dry run records nothing"

    found = report(stack, "--grace-seconds", "0")
    assert key in found["found"] and kept_key not in found["found"]
    assert found["checked"] >= 2 and found["orphaned"] >= 1
    [item] = [o for o in orphaned(gateway, support) if o["key"] == key]
    assert item["original_name"] == "Budget prévisionnel 2024.pdf" and item["uploaded_by"] == ars_id
    assert item["owner"] == {"owner_type": "reference", "region": region}
    assert item["size"] == len(samples.pdf()) and item["document_id"] == key.split("/")[1]
    assert kept_key not in [o["key"] for o in orphaned(gateway, support)]

    again = report(stack, "--grace-seconds", "0")
    assert key not in again["found"], "recorded once"
    assert [o["key"] for o in orphaned(gateway, support)].count(key) == 1

    board = httpx.get(f"{gateway}/api/documents/dashboard", headers=bearer(support)).json()
    assert board["counts"]["orphaned_objects"] >= 1 and board["counts"]["objects_reconciled_at"]
    with web_client(gateway, support_email) as client:
        page = client.get("/support/documents/")
    assert page.status_code == 200
    assert "Fichiers sans fiche dans le stockage" in page.text
    assert "Budget prévisionnel 2024.pdf" in page.text and key in page.text
    assert f"document de référence, région {region}" in page.text


def test_reconcile_objects_refuses_a_bad_grace_period_and_the_list_is_for_support_only(stack, gateway):
    for bad in ("abc", "-5", "nan"):
        done = reconcile_objects(stack, "--grace-seconds", bad)
        assert done.returncode == 2 and "--grace-seconds" in done.stderr, (bad, done.stderr)
    done = reconcile_objects(stack, "--no-such-option")
    assert done.returncode == 2 and "unrecognized arguments" in done.stderr
    ars_email, _ = active_user(stack, role="ars", region="Bretagne")
    answer = httpx.get(f"{gateway}/api/documents/dashboard/orphaned-objects", headers=bearer(sign_in(gateway,
                                                                                                     ars_email)))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert httpx.get(f"{gateway}/api/documents/dashboard/orphaned-objects").status_code == 401
