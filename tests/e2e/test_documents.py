"""Documents through the gateway with real tokens, the real database and S3 (SeaweedFS, Object Lock): every
accepted format stored and read back byte for byte, refusals that name their reason and leave nothing behind,
append-only storage (no route deletes, S3 refuses the service's own delete), who sees what (indicators of a
real contract, as the contracts service decides; CPOM folders and « Documents confidentiels »; documents de
référence).

The size limit and an S3 outage are tried on in-process copies of the documents app (real database and S3,
tokens checked against the stack's auth) served by werkzeug on a free port, with their own settings."""

import hashlib
import io
import socket
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote

import httpx
import jwt
import psycopg
import pytest
from minio import Minio
from minio.error import S3Error
from werkzeug.serving import make_server

from deploy.localstack import S3_ACCESS_KEY, S3_PORT, S3_SECRET_KEY
from ecars_common.tokens import TokenVerifier, http_jwks
from services.documents import storage
from services.documents.app import create_app
from services.documents.config import Config
from tests.conftest import unique
from tests.support import cpom as cpom_support
from tests.support import samples
from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.db import connect, rows
from tests.support.identity import active_user, bearer, sign_in

MB = 1024 * 1024
APPEND_ONLY = "Les documents transmis ne peuvent pas être supprimés."


# -- helpers -----------------------------------------------------------------------------------------

def api(gateway: str, path: str) -> str:
    return f"{gateway}/api/documents{path}"


def upload(url: str, tokens: dict | None, name: str, content, **headers) -> httpx.Response:
    """The raw-body upload: the name percent-encoded in X-File-Name."""
    sent = {"Content-Type": "application/octet-stream", "X-File-Name": quote(name, safe=""), **headers}
    if tokens:
        sent.update(bearer(tokens))
    return httpx.post(url, content=content, headers=sent, timeout=60)


def user(stack, gateway, role="etablissement", **extra) -> tuple[str, dict]:
    """(user id, tokens) of a new signed-in user."""
    email, user_id = active_user(stack, role=role, **extra)
    return user_id, sign_in(gateway, email)


def real_cpom(gateway, ars_tokens: dict) -> str:
    """A CPOM of the cpom service (Bretagne, département 22), created by the ARS: the documents service asks
    cpom who may see it when the caller holds no habilitation on the CPOM itself."""
    who = SimpleNamespace(headers=bearer(ars_tokens))
    return cpom_support.create_cpom(gateway, who, cpom_support.organisation(gateway, who))["id"]


def grant(stack, user_id: str, scope_type: str, scope_id: str, confidential: bool = False) -> None:
    """A habilitation in the documents service's projection, as auth's events would leave it."""
    with connect(stack) as conn:
        conn.execute("INSERT INTO documents.habilitations (habilitation_id, user_id, scope_type, scope_id, "
                     "administrateur, visibilite_documents_confidentiels) VALUES (%s, %s, %s, %s, false, %s)",
                     (str(uuid.uuid4()), user_id, scope_type, scope_id, confidential))


def s3_client() -> Minio:
    """S3 with the very credentials the documents service uses."""
    return Minio(f"127.0.0.1:{S3_PORT}", access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)


def stored_state(stack) -> tuple[int, int, int]:
    """(metadata rows, S3 objects, multipart uploads in progress) of the stack's documents."""
    count = rows(stack, "SELECT count(*) AS n FROM documents.documents")[0]["n"]
    objects = len(list(s3_client().list_objects(stack.s3_bucket, recursive=True)))
    return count, objects, len(pending_multipart_uploads(stack.s3_bucket))


def pending_multipart_uploads(bucket: str) -> list[str]:
    signed = storage.S3(Config(s3_endpoint=f"127.0.0.1:{S3_PORT}", s3_bucket=bucket,
                               s3_access_key=S3_ACCESS_KEY, s3_secret_key=S3_SECRET_KEY))
    answer = signed.request("GET", None, {"uploads": ""})
    return [part.split(b"</UploadId>")[0].decode() for part in answer.data.split(b"<UploadId>")[1:]]


def wait_until(condition, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def indicator_url(gateway: str, contract_id: str, code: str = "ACC01") -> str:
    return api(gateway, f"/indicators/{contract_id}/{code}/documents")


@pytest.fixture(scope="module")
def contract(stack, gateway):
    """A self-evaluation contract made through the contracts API, the EJ's user who fills it (habilitated on
    the EJ), the campaign's ARS, and the URL of the documents of its indicator ACC01."""
    setup = make_contract(gateway, stack)
    return {"id": setup.contract_id, "tokens": setup.member, "ars": setup.ars, "setup": setup,
            "user_id": jwt.decode(setup.member["access_token"], options={"verify_signature": False})["sub"],
            "url": indicator_url(gateway, setup.contract_id)}


@pytest.fixture(scope="module")
def ars(stack, gateway) -> dict:
    return user(stack, gateway, role="ars", region="Bretagne")[1]


# -- formats -----------------------------------------------------------------------------------------

def test_the_accepted_formats_are_served_for_the_forms_that_offer_a_file(gateway, contract):
    """What the web UI's file pickers say is accepted comes from here (gateway/ui/contracts.py)."""
    answer = httpx.get(api(gateway, "/formats"), headers=bearer(contract["tokens"]))

    assert answer.status_code == 200
    served = answer.json()
    assert [item["extension"] for item in served["items"]] == [  # guide 000 §5, in its order
        "txt", "xls", "xlsx", "xlm", "xlsm", "doc", "docx", "pdf", "ppt", "ppts", "zip", "jpg", "jpeg", "tiff", "gif",
        "odt", "odg", "odp", "ods", "odf", "dot", "dotx"]
    assert {"extension": "pdf", "kind": "document PDF", "content_type": "application/pdf"} in served["items"]
    assert served["max_bytes"] == 50 * MB
    assert httpx.get(api(gateway, "/formats")).status_code == 401


@pytest.mark.parametrize("extension", list(samples.accepted()))
def test_every_accepted_format_is_stored_and_comes_back_identical(gateway, contract, extension):
    content = samples.accepted()[extension]
    name = f"Pièce justificative n°1 – {extension}.{extension.upper() if extension in ('pdf', 'zip') else extension}"

    added = upload(contract["url"], contract["tokens"], name, content)

    assert added.status_code == 201, added.text
    document = added.json()
    assert document["name"] == name  # shown as uploaded
    assert document["extension"] == extension
    assert document["size"] == len(content) and document["sha256"] == hashlib.sha256(content).hexdigest()
    assert document["owner"] == {"type": "indicator", "contract_id": contract["id"], "indicator_id": "ACC01"}
    download = httpx.get(api(gateway, f"/documents/{document['id']}/content"), headers=bearer(contract["tokens"]))
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == document["sha256"]
    assert download.headers["content-length"] == str(len(content))
    assert download.headers["content-type"] == document["content_type"]
    assert f"filename*=UTF-8''{quote(name, safe='')}" in download.headers["content-disposition"]
    assert download.headers["content-disposition"].startswith("attachment; filename=\"Piece justificative")


@pytest.mark.parametrize("name", list(samples.real_files()))
def test_real_files_saved_by_libreoffice_are_accepted(gateway, contract, name):
    content = samples.real_files()[name]
    added = upload(contract["url"], contract["tokens"], name, content)
    assert added.status_code == 201, added.text
    assert added.json()["sha256"] == hashlib.sha256(content).hexdigest()


def test_a_browser_form_upload_multipart_is_streamed_too(gateway, contract):
    content = samples.docx_file()
    added = httpx.post(contract["url"], headers=bearer(contract["tokens"]),
                       files={"file": ("Bilan d'activité 2024.docx", io.BytesIO(content), "application/octet-stream")},
                       data={"commentaire": "ignoré"})
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Bilan d'activité 2024.docx"
    assert added.json()["sha256"] == hashlib.sha256(content).hexdigest()
    empty_form = httpx.post(contract["url"], headers=bearer(contract["tokens"]), files={"x": (None, "y")})
    assert empty_form.status_code == 422 and empty_form.json()["error"]["details"] == {"file": "obligatoire"}


def test_the_name_can_also_come_in_the_query_and_the_same_name_twice_makes_two_documents(gateway, contract):
    url = f"{contract['url']}?name={quote('Procès-verbal.txt')}"
    first = httpx.post(url, content=b"version 1\n", headers=bearer(contract["tokens"]))
    second = httpx.post(url, content=b"version 2\n", headers=bearer(contract["tokens"]))

    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    listing = httpx.get(contract["url"], headers=bearer(contract["tokens"])).json()["items"]
    versions = [d for d in listing if d["name"] == "Procès-verbal.txt"]
    assert {d["id"] for d in versions} == {first.json()["id"], second.json()["id"]}
    for document, text in ((first, b"version 1\n"), (second, b"version 2\n")):  # nothing was overwritten
        content = httpx.get(api(gateway, f"/documents/{document.json()['id']}/content"),
                            headers=bearer(contract["tokens"])).content
        assert content == text
    head = httpx.head(api(gateway, f"/documents/{first.json()['id']}/content"), headers=bearer(contract["tokens"]))
    assert head.status_code == 200 and head.headers["content-length"] == "10" and head.content == b""


REFUSED = {
    "executable extension": ("setup.exe", samples.windows_executable(), 422, "extension_not_allowed", "« .exe »"),
    "no extension": ("rapport", b"texte", 422, "extension_not_allowed", "pas d'extension"),
    "renamed executable": ("facture.pdf", samples.windows_executable(), 422, "content_mismatch",
                           "programme exécutable Windows"),
    "executable as text": ("notes.txt", samples.windows_executable(), 422, "content_mismatch", "texte brut"),
    "Word 97 named .xls": ("budget.xls", samples.ole2("WordDocument"), 422, "content_mismatch",
                           "classeur Excel 97-2003"),
    "zip named .docx": ("rapport.docx", samples.zip_of({"a.txt": b"a"}), 422, "content_mismatch", "document Word"),
    "plain text named .odt": ("rapport.odt", b"du texte", 422, "content_mismatch",
                              "format attendu « texte OpenDocument »"),
    "spreadsheet named .odt": ("rapport.odt", samples.opendocument("application/vnd.oasis.opendocument.spreadsheet"),
                               422, "content_mismatch", "opendocument.spreadsheet"),
    "truncated pdf": ("rapport.pdf", samples.pdf()[:-20], 422, "content_mismatch", "%%EOF"),
    "empty file": ("vide.txt", b"", 422, "empty_file", "vide"),
    "zip bomb": ("archive.zip", samples.zip_bomb(), 422, "zip_bomb", "taux de compression"),
    "nested zip bomb": ("archive.zip", samples.nested_zip_bomb(), 422, "zip_bomb", "taille décompressée totale"),
    "zip lying about its sizes": ("archive.zip", samples.lying_zip(), 422, "zip_bomb", "taille annoncée"),
    "too many entries": ("archive.zip", samples.many_entries(10_001), 422, "zip_bomb", "trop de fichiers"),
    "path traversal": ("../../etc/passwd", b"root:x:0:0", 422, "bad_filename", "chemin"),
    "windows path": ("C:\\temp\\rapport.pdf", samples.pdf(), 422, "bad_filename", "chemin"),
    "control character": ("rap\x07port.pdf", samples.pdf(), 422, "bad_filename", "contrôle"),
    "right-to-left override": ("facture\u202efdp.exe", samples.pdf(), 422, "bad_filename", "invisibles"),
    "overlong name": ("é" * 130 + ".pdf", samples.pdf(), 422, "bad_filename", "trop long"),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refusals_name_their_reason_and_store_nothing(stack, contract, case):
    name, content, status, code, words = REFUSED[case]
    before = stored_state(stack)

    answer = upload(contract["url"], contract["tokens"], name, content)

    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert words in error["message"], error["message"]
    assert stored_state(stack) == before  # no row, no object, no multipart upload left


def test_uploads_and_refusals_are_counted_for_the_support_team(gateway, stack, contract):
    upload(contract["url"], contract["tokens"], "compté.txt", b"un\n")
    upload(contract["url"], contract["tokens"], "faux.pdf", b"pas un pdf")
    support = user(stack, gateway, role="support")[1]
    metrics = httpx.get(api(gateway, "/metrics"), headers=bearer(support)).text
    assert 'documents_uploads_total{outcome="stored",owner_type="indicator"}' in metrics
    assert 'documents_uploads_total{outcome="content_mismatch",owner_type="indicator"}' in metrics
    assert "documents_uploaded_bytes_total" in metrics


def test_a_refusal_found_after_parts_went_to_s3_aborts_them(stack, contract):
    """25 MB whose end is wrong (a PDF without %%EOF): two 10 MB parts are uploaded while it arrives, then
    the upload is refused and aborted: no object, no pending multipart upload."""
    before = stored_state(stack)
    content = b"%PDF-1.7\n" + bytes(25 * MB)

    answer = upload(contract["url"], contract["tokens"], "long.pdf", content)

    assert answer.status_code == 422 and answer.json()["error"]["code"] == "content_mismatch"
    assert stored_state(stack) == before


def test_a_large_document_goes_up_in_parts_and_comes_back_identical(gateway, contract):
    content = b"%PDF-1.7\n" + hashlib.sha256(b"seed").digest() * (12 * MB // 32) + b"\n%%EOF\n"  # 2 parts
    added = upload(contract["url"], contract["tokens"], "annexe volumineuse.pdf", iter([content[i:i + MB]
                                                                                        for i in range(0, len(content),
                                                                                                       MB)]))
    assert added.status_code == 201, added.text
    digest = hashlib.sha256()
    with httpx.stream("GET", api(gateway, f"/documents/{added.json()['id']}/content"),
                      headers=bearer(contract["tokens"])) as download:
        for chunk in download.iter_bytes():
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest() == added.json()["sha256"]


# -- append-only -------------------------------------------------------------------------------------

def test_no_route_deletes_or_replaces_a_document(gateway, stack, contract):
    document = upload(contract["url"], contract["tokens"], "à garder.txt", b"pour toujours\n").json()
    cpom_id = unique("cpom")
    for path in (f"/documents/{document['id']}", f"/documents/{document['id']}/content",
                 f"/indicators/{contract['id']}/ACC01/documents",
                 f"/indicators/{contract['id']}/ACC01/documents/{document['id']}",
                 f"/cpoms/{cpom_id}/folders/{uuid.uuid4()}/documents", "/references/Bretagne"):
        deleted = httpx.delete(api(gateway, path), headers=bearer(contract["tokens"]))
        assert deleted.status_code == 405, path
        assert deleted.json()["error"]["message"] == APPEND_ONLY
        assert "DELETE" not in deleted.headers["allow"]
        replaced = httpx.put(api(gateway, path), headers=bearer(contract["tokens"]), content=b"autre contenu")
        assert replaced.status_code == 405 and "remplacés" in replaced.json()["error"]["message"]
    again = httpx.get(api(gateway, f"/documents/{document['id']}/content"), headers=bearer(contract["tokens"]))
    assert again.content == b"pour toujours\n"


def test_a_document_survives_a_delete_with_the_services_own_s3_credentials_and_sql(gateway, stack, contract):
    content = samples.pdf()
    document = upload(contract["url"], contract["tokens"], "preuve.pdf", content).json()
    [row] = rows(stack, "SELECT stored_name, version_id, bucket FROM documents.documents WHERE id = %s",
                 document["id"])
    s3 = s3_client()
    retention = s3.get_object_retention(row["bucket"], row["stored_name"], version_id=row["version_id"])
    assert retention.mode == "COMPLIANCE"  # the bucket's default: a day on test stacks, ten years otherwise
    assert datetime.now(UTC) + timedelta(hours=23) < retention.retain_until_date < datetime.now(UTC) + timedelta(days=2)

    with pytest.raises(S3Error) as refused:
        s3.remove_object(row["bucket"], row["stored_name"], version_id=row["version_id"])
    assert refused.value.code == "AccessDenied"
    s3.remove_object(row["bucket"], row["stored_name"])  # without a version: only hides it behind a delete marker

    kept = s3.get_object(row["bucket"], row["stored_name"], version_id=row["version_id"])
    try:
        assert kept.read() == content
    finally:
        kept.close()
        kept.release_conn()
    download = httpx.get(api(gateway, f"/documents/{document['id']}/content"), headers=bearer(contract["tokens"]))
    assert download.status_code == 200 and download.content == content  # the recorded version is served
    with connect(stack) as conn:
        for statement in ("DELETE FROM documents.documents WHERE id = %s",
                          "UPDATE documents.documents SET original_name = 'autre.pdf' WHERE id = %s"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement, (document["id"],))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("TRUNCATE documents.documents CASCADE")
    assert rows(stack, "SELECT original_name FROM documents.documents WHERE id = %s",
                document["id"])[0]["original_name"] == "preuve.pdf"


def test_each_addition_is_published_as_an_event(stack, contract):
    document = upload(contract["url"], contract["tokens"], "événement.txt", b"publie-moi\n").json()
    [event] = wait_until(lambda: rows(
        stack, "SELECT envelope, sent_at FROM documents.outbox WHERE type = 'documents.document.added' "
               "AND envelope->'data'->>'document_id' = %s AND sent_at IS NOT NULL", document["id"]))
    data = event["envelope"]["data"]
    assert data == {"document_id": document["id"], "owner_type": "indicator", "contract_id": contract["id"],
                    "indicator_id": "ACC01", "name": "événement.txt", "size": 11, "sha256": document["sha256"],
                    "content_type": "text/plain; charset=utf-8", "uploaded_by": contract["user_id"],
                    "uploaded_at": document["uploaded_at"]}
    # the contracts service keeps it on the indicator (listed there, sealed in the receipt at closing)
    on_indicator = wait_until(lambda: [d for d in httpx.get(
        f"{contract['setup'].url(stack.gateway_url, '/indicators/ACC01')}", headers=bearer(contract["tokens"])
    ).json()["documents"] if d["document_id"] == document["id"]])
    assert on_indicator == [{"document_id": document["id"], "name": "événement.txt", "sha256": document["sha256"],
                             "size": 11}]


# -- who sees what -----------------------------------------------------------------------------------

def test_indicator_documents_follow_the_contracts_rules(gateway, stack, contract):
    """Who may see the indicator (contracts' rules: the EJ's users, the campaign's ARS, an admin) reads its
    documents; only who fills it adds some; anybody else finds nothing, even with the document's id."""
    document = upload(contract["url"], contract["tokens"], "budget.txt", b"budget 2024\n").json()
    urls = {"list": contract["url"], "metadata": api(gateway, f"/documents/{document['id']}"),
            "content": api(gateway, f"/documents/{document['id']}/content")}
    readers = {"campaign's ARS": contract["ars"], "admin": user(stack, gateway, role="admin")[1]}
    strangers = {"another EJ's user": make_contract(gateway, stack).member,
                 "ARS of another region": user(stack, gateway, role="ars", region="Normandie")[1],
                 "support": user(stack, gateway, role="support")[1], "user without access": user(stack, gateway)[1]}

    for who, tokens in readers.items():
        listing = httpx.get(urls["list"], headers=bearer(tokens))
        assert document["id"] in [d["id"] for d in listing.json()["items"]], who
        assert httpx.get(urls["content"], headers=bearer(tokens)).content == b"budget 2024\n", who
    ars_adds = upload(contract["url"], contract["ars"], "avis.txt", b"avis")
    assert ars_adds.status_code == 403 and ars_adds.json()["error"]["code"] == "read_only"
    for who, tokens in strangers.items():
        listing = httpx.get(urls["list"], headers=bearer(tokens))
        assert listing.status_code == 404 and listing.json()["error"]["message"] == "Contrat introuvable.", who
        for what in ("metadata", "content"):  # guessing the id tells nothing: « introuvable »
            answer = httpx.get(urls[what], headers=bearer(tokens))
            assert answer.status_code == 404, (who, what)
            assert answer.json()["error"]["message"] == "Document introuvable."
        assert upload(contract["url"], tokens, "intrus.txt", b"x").status_code == 404, who
    for url in urls.values():
        assert httpx.get(url).status_code == 401
    assert upload(contract["url"], None, "anonyme.txt", b"x").status_code == 401
    assert httpx.get(api(gateway, "/documents/pas-un-uuid"), headers=bearer(contract["tokens"])).status_code == 404
    assert httpx.get(indicator_url(gateway, "pas-un-contrat"), headers=bearer(contract["tokens"])).status_code == 404
    unknown_indicator = httpx.get(indicator_url(gateway, contract["id"], "XYZ99"), headers=bearer(contract["tokens"]))
    assert unknown_indicator.status_code == 404


def test_once_the_self_evaluation_is_closed_documents_are_read_but_no_longer_added(gateway, stack):
    setup = make_contract(gateway, stack)
    url = indicator_url(gateway, setup.contract_id)
    before = upload(url, setup.member, "avant clôture.pdf", samples.pdf())
    assert before.status_code == 201
    for code, answers in GOOD_ANSWERS.items():
        assert save(gateway, setup, code, answers).status_code == 200
    assert httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).status_code == 200

    after = upload(url, setup.member, "après clôture.pdf", samples.pdf())

    assert after.status_code == 409 and after.json()["error"]["code"] == "contract_closed"
    assert "close" in after.json()["error"]["message"]
    assert [d["name"] for d in httpx.get(url, headers=bearer(setup.member)).json()["items"]] == ["avant clôture.pdf"]
    assert httpx.get(api(gateway, f"/documents/{before.json()['id']}/content"),
                     headers=bearer(setup.member)).content == samples.pdf()


def folders_of(gateway, tokens, cpom_id, expect_ok: bool = True) -> dict[str, dict] | None:
    """The CPOM's folder tree as {name: folder}, the caller's view; None if refused (with expect_ok=False)."""
    answer = httpx.get(api(gateway, f"/cpoms/{cpom_id}/folders"), headers=bearer(tokens))
    if not expect_ok and answer.status_code != 200:
        return None
    assert answer.status_code == 200, answer.text
    found = {}

    def walk(items):
        for item in items:
            found[item["name"]] = item
            walk(item["children"])

    walk(answer.json()["items"])
    return found


def test_cpom_folders_and_the_confidential_one(gateway, stack, ars):
    cpom_id = real_cpom(gateway, ars)
    member_id, member = user(stack, gateway)
    grant(stack, member_id, "cpom", cpom_id)
    trusted_id, trusted = user(stack, gateway)
    grant(stack, trusted_id, "cpom", cpom_id, confidential=True)
    outsider_id, outsider = user(stack, gateway)
    grant(stack, outsider_id, "cpom", unique("cpom"), confidential=True)

    everything = folders_of(gateway, ars, cpom_id)
    assert list(everything) == ["Documents contractuels", "Diagnostic", "Négociation", "Suivi et évaluation",
                                "Documents confidentiels"]
    assert folders_of(gateway, ars, cpom_id) == everything  # made once, at first use
    assert [n for n, f in everything.items() if f["confidential"]] == ["Documents confidentiels"]
    assert "Documents confidentiels" not in folders_of(gateway, member, cpom_id)
    assert "Documents confidentiels" in folders_of(gateway, trusted, cpom_id)
    assert httpx.get(api(gateway, f"/cpoms/{cpom_id}/folders"), headers=bearer(outsider)).status_code == 403

    diagnostic, confidential = everything["Diagnostic"]["id"], everything["Documents confidentiels"]["id"]

    def folder_url(folder_id):
        return api(gateway, f"/cpoms/{cpom_id}/folders/{folder_id}/documents")

    shared = upload(folder_url(diagnostic), member, "diagnostic partagé.odt",
                    samples.accepted()["odt"])
    assert shared.status_code == 201, shared.text
    secret = upload(folder_url(confidential), trusted, "rémunérations.xlsx", samples.accepted()["xlsx"])
    assert secret.status_code == 201, secret.text
    assert folders_of(gateway, trusted, cpom_id)["Documents confidentiels"]["documents"] == 1

    refused = upload(folder_url(confidential), member, "tentative.txt", b"x")
    assert refused.status_code == 403 and "autorisation spécifique" in refused.json()["error"]["message"]
    assert httpx.get(folder_url(confidential), headers=bearer(member)).status_code == 403
    for path in (f"/documents/{secret.json()['id']}", f"/documents/{secret.json()['id']}/content"):
        assert httpx.get(api(gateway, path), headers=bearer(member)).status_code == 404
        assert httpx.get(api(gateway, path), headers=bearer(trusted)).status_code == 200
        assert httpx.get(api(gateway, path), headers=bearer(ars)).status_code == 200
    assert [d["name"] for d in httpx.get(folder_url(diagnostic), headers=bearer(member)).json()["items"]] == [
        "diagnostic partagé.odt"]
    for who in (outsider, user(stack, gateway)[1]):  # another CPOM's users, or none
        assert httpx.get(folder_url(diagnostic), headers=bearer(who)).status_code == 403
        assert httpx.get(api(gateway, f"/documents/{shared.json()['id']}/content"),
                         headers=bearer(who)).status_code == 404
    other_cpom = real_cpom(gateway, ars)
    folders_of(gateway, ars, other_cpom)
    assert httpx.get(api(gateway, f"/cpoms/{other_cpom}/folders/{diagnostic}/documents"),
                     headers=bearer(ars)).status_code == 404  # a folder of another CPOM


def test_the_authorities_add_sub_folders_and_those_under_the_confidential_one_stay_confidential(
        gateway, stack, ars):
    cpom_id = real_cpom(gateway, ars)
    member_id, member = user(stack, gateway)
    grant(stack, member_id, "cpom", cpom_id)
    folders = folders_of(gateway, ars, cpom_id)

    def add(tokens, name, parent):
        return httpx.post(api(gateway, f"/cpoms/{cpom_id}/folders"), headers=bearer(tokens),
                          json={"name": name, "parent_id": folders[parent]["id"]})

    assert add(ars, "Avenants", "Documents contractuels").status_code == 201
    assert add(ars, "Avenants", "Documents contractuels").status_code == 409
    assert add(ars, "Contentieux", "Documents confidentiels").json()["confidential"] is True
    assert add(member, "Mes notes", "Diagnostic").status_code == 403
    tree = folders_of(gateway, member, cpom_id)
    assert "Avenants" in tree and "Contentieux" not in tree
    assert [c["name"] for c in tree["Documents contractuels"]["children"]] == ["Avenants"]


def test_the_confidential_flag_comes_from_gestion_des_habilitations(gateway, stack, ars):
    """The real path: « Ajouter un accès » with « Visibilité documents confidentiels », then unticked."""
    cpom_id = real_cpom(gateway, ars)
    email, _ = active_user(stack)
    added = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(ars), json={
        "scope_type": "cpom", "scope_id": cpom_id, "civilite": "Mme", "nom": "MARTIN", "prenom": "Lucie",
        "fonction": "Directrice", "email": email, "visibilite_documents_confidentiels": True})
    assert added.status_code == 201, added.text
    tokens = sign_in(gateway, email)
    # the documents service learns of it through auth's event, into its projection
    wait_until(lambda: "Documents confidentiels" in (folders_of(gateway, tokens, cpom_id, expect_ok=False) or {}))

    changed = httpx.patch(f"{gateway}/api/auth/habilitations/{added.json()['id']}", headers=bearer(ars),
                          json={"visibilite_documents_confidentiels": False})
    assert changed.status_code == 200
    wait_until(lambda: "Documents confidentiels" not in folders_of(gateway, tokens, cpom_id))
    confidential = folders_of(gateway, ars, cpom_id)["Documents confidentiels"]["id"]
    assert httpx.get(api(gateway, f"/cpoms/{cpom_id}/folders/{confidential}/documents"),
                     headers=bearer(tokens)).status_code == 403


def test_documents_de_reference_are_published_by_the_regions_ars_and_read_by_all(gateway, stack, ars):
    region = f"Île-de-France {uuid.uuid4().hex[:6]}"  # a region's name goes percent-encoded in the path
    own = user(stack, gateway, role="ars", region=region)[1]
    url = api(gateway, f"/references/{quote(region)}")

    published = upload(url, own, "Guide régional CPOM.pdf", samples.pdf())
    assert published.status_code == 201, published.text
    assert published.json()["owner"] == {"type": "reference", "region": region}
    assert upload(url, ars, "autre région.pdf", samples.pdf()).status_code == 403  # ARS Bretagne, not this region
    establishment = user(stack, gateway)[1]
    assert upload(url, establishment, "guide.pdf", samples.pdf()).status_code == 403
    assert upload(url, user(stack, gateway, role="admin")[1], "national.pdf", samples.pdf()).status_code == 201
    for reader in (establishment, ars):
        listing = httpx.get(url, headers=bearer(reader))
        assert listing.status_code == 200
        assert {d["name"] for d in listing.json()["items"]} == {"Guide régional CPOM.pdf", "national.pdf"}
        content = httpx.get(api(gateway, f"/documents/{published.json()['id']}/content"), headers=bearer(reader))
        assert content.content == samples.pdf()
    assert httpx.get(url).status_code == 401


# -- size limit and S3 outage: in-process copies of the app ----------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class InProcess:
    """The documents app with its own Config, served by werkzeug on a free port (real HTTP, chunked bodies)."""

    def __init__(self, stack, **settings):
        config = Config(**{"database_url": stack.database_url, "s3_endpoint": f"127.0.0.1:{S3_PORT}",
                           "s3_bucket": stack.s3_bucket, "s3_access_key": S3_ACCESS_KEY,
                           "s3_secret_key": S3_SECRET_KEY, **settings})
        app = create_app(config)
        jwks = f"http://127.0.0.1:{stack.service_port('auth')}/.well-known/jwks.json"
        app.extensions["token_verifier"] = TokenVerifier(http_jwks(jwks))
        self.server = make_server("127.0.0.1", free_port(), app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.server.shutdown()
        self.thread.join(timeout=10)


@pytest.fixture
def contracts_of_the_stack(stack, monkeypatch):
    """In-process apps ask the stack's contracts service about indicators."""
    monkeypatch.setenv("ECARS_CONTRACTS_URL", f"http://127.0.0.1:{stack.service_port('contracts')}")


def test_the_size_limit_is_enforced_while_the_upload_streams(stack, contract, contracts_of_the_stack):
    limit = 2 * MB
    with InProcess(stack, max_bytes=limit) as app:
        url = f"{app.url}/indicators/{contract['id']}/ACC01/documents"
        before = stored_state(stack)

        declared = upload(url, contract["tokens"], "gros.txt", b"a" * (limit + 1))  # Content-Length says it
        streamed = upload(url, contract["tokens"], "gros.txt", iter([b"a" * MB] * 3))  # chunked: found on the way
        multipart = httpx.post(url, headers=bearer(contract["tokens"]),
                               files={"file": ("gros.txt", io.BytesIO(b"a" * (limit + 100)), "text/plain")})

        for answer in (declared, streamed, multipart):
            assert answer.status_code == 413, answer.text
            assert answer.json()["error"]["code"] == "too_large"
            assert answer.json()["error"]["message"] == ("Le fichier dépasse la taille maximale autorisée "
                                                         "(2 Mo).")
        assert stored_state(stack) == before
        exactly = upload(url, contract["tokens"], "limite.txt", iter([b"a" * MB] * 2))
        assert exactly.status_code == 201 and exactly.json()["size"] == limit


def test_through_the_gateway_an_upload_over_50_mb_is_refused_before_it_is_read(stack, contract):
    before = stored_state(stack)
    chunk = b"%PDF-1.7\n" + bytes(MB - 9)
    answer = upload(contract["url"], contract["tokens"], "trop gros.pdf", iter([chunk] * 51),
                    **{"Content-Length": str(51 * MB)})
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["message"] == "Le fichier dépasse la taille maximale autorisée (50 Mo)."
    assert stored_state(stack) == before


def test_s3_down_is_a_503_and_leaves_no_metadata(stack, contract, contracts_of_the_stack):
    with InProcess(stack, s3_endpoint=f"127.0.0.1:{free_port()}", s3_connect_timeout=1) as app:
        url = f"{app.url}/indicators/{contract['id']}/ACC01/documents"
        before = rows(stack, "SELECT count(*) AS n FROM documents.documents")[0]["n"]
        small = upload(url, contract["tokens"], "petit.pdf", samples.pdf())
        large = upload(url, contract["tokens"], "grand.pdf", b"%PDF-1.7\n" + bytes(25 * MB) + b"\n%%EOF\n")

        for answer in (small, large):
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == "storage_unavailable"
            assert "indisponible" in answer.json()["error"]["message"]
        assert rows(stack, "SELECT count(*) AS n FROM documents.documents")[0]["n"] == before
        assert httpx.get(f"{app.url}/health/ready").json()["error"]["details"]["s3"].startswith("indisponible")


def test_an_interlocutor_of_the_ej_reaches_its_cpom_folders(gateway, stack, ars):
    """A gestionnaire whose habilitation is on the EJ (the home list) uses its CPOM's folders; the EJ
    habilitation's « Visibilité documents confidentiels » decides for the confidential folder."""
    who = SimpleNamespace(headers=bearer(ars))
    organisation = cpom_support.organisation(gateway, who)
    cpom_id = cpom_support.create_cpom(gateway, who, organisation)["id"]
    member_id, member = user(stack, gateway)
    cpom_support.grant(stack, member_id, "ej", organisation["finess"])  # what cpom's projection holds
    grant(stack, member_id, "ej", organisation["finess"])  # and the documents service's
    tree = folders_of(gateway, member, cpom_id)
    assert "Diagnostic" in tree and "Documents confidentiels" not in tree
    added = upload(api(gateway, f"/cpoms/{cpom_id}/folders/{tree['Diagnostic']['id']}/documents"), member,
                   "diagnostic.txt", b"Etat des lieux\n")
    assert added.status_code == 201, added.text
    stranger_id, stranger = user(stack, gateway)
    grant(stack, stranger_id, "ej", cpom_support.new_finess())
    assert httpx.get(api(gateway, f"/cpoms/{cpom_id}/folders"), headers=bearer(stranger)).status_code == 403
