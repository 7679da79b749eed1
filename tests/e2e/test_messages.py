"""« Messages » of a contract and of a CPOM (issue 18, docs/messaging.md), through the gateway: the thread between the
EJ and the authority, emailed to the other side, its attachments (documents of the documents service), the
authority's private notes that never reach an établissement user, the contract's history and the campaign export;
and the bad input: empty or oversized message, a private note by the EJ, a forbidden attachment format, a thread of a
contract or CPOM the caller may not see."""

import csv
import io
import time
from urllib.parse import quote

import httpx
import pytest

from tests.support import cpom as cpom_support
from tests.support.campaigns import make_campaign
from tests.support.contracts import grant_ej
from tests.support.db import connect
from tests.support.identity import active_user, bearer, sign_in
from tests.support.samples import pdf


def messages_url(gateway: str, service: str, path: str) -> str:
    return f"{gateway}/api/{service}{path}/messages"


def attach(gateway: str, tokens: dict, scope: str, scope_id: str, message_id: str, name: str, content: bytes):
    return httpx.post(f"{gateway}/api/documents/messages/{scope}/{scope_id}/{message_id}/documents",
                      headers={**bearer(tokens), "Content-Type": "application/octet-stream",
                               "X-File-Name": quote(name, safe="")}, content=content)


@pytest.fixture(scope="module")
def campaign(gateway, stack):
    return make_campaign(gateway, stack, closes_on=None, contracts=2)


def test_a_contract_thread_between_the_ej_and_the_ars_with_a_private_note_the_ej_never_sees(
        gateway, stack, campaign, mailbox):
    member, other = campaign.members
    path = f"/contracts/{member.contract_id}"
    url = messages_url(gateway, "contracts", path)

    asked = httpx.post(url, headers=bearer(member.tokens), json={"text": "Bonjour,\nfaut-il joindre le bilan 2023 ?"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["author"] == {"user_id": asked.json()["author"]["user_id"], "email": member.email,
                                      "side": "etablissement"}
    # emailed to the other side: the ARS referent of the contract
    [mail] = [m for m in mailbox.wait_for(campaign.ars_email) if "faut-il joindre" in m["text"]]
    assert mail["subject"].startswith("e-CARS – Nouveau message : Auto-évaluation 2024")
    assert f"/contrats/{member.contract_id}/messages" in mail["text"]

    note = httpx.post(url, headers=bearer(campaign.ars), json={"text": "À vérifier : bilan 2022 déjà reçu.",
                                                               "private": True})
    assert note.status_code == 201, note.text
    answered = httpx.post(url, headers=bearer(campaign.ars), json={"text": "Oui, joignez-le à ce fil."})
    assert answered.status_code == 201, answered.text
    mailbox.wait_for(member.email)
    assert not [m for m in mailbox.messages(member.email) if "bilan 2022" in m["text"]]  # a note is never emailed

    # the ARS reads the whole thread, the note flagged; the établissement user never sees the note
    ars_view = httpx.get(url, headers=bearer(campaign.ars)).json()
    assert ars_view["authority"] is True
    assert [(m["text"][:10], m["private"]) for m in ars_view["items"]] == [
        ("Bonjour,\nf", False), ("À vérifier", True), ("Oui, joign", False)]
    ej_view = httpx.get(url, headers=bearer(member.tokens)).json()
    assert ej_view["authority"] is False
    assert [m["id"] for m in ej_view["items"]] == [asked.json()["id"], answered.json()["id"]]
    hidden = httpx.get(f"{url}/{note.json()['id']}", headers=bearer(member.tokens))
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "not_found"

    # attachments: the author joins a PDF; a forbidden format is refused in French; the note's stays the ARS's
    joined = attach(gateway, member.tokens, "contracts", member.contract_id, asked.json()["id"], "bilan 2023.pdf",
                    pdf())
    assert joined.status_code == 201, joined.text
    refused = attach(gateway, member.tokens, "contracts", member.contract_id, asked.json()["id"], "outil.exe",
                     b"MZ\x90\x00")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "extension_not_allowed"
    assert "n'est pas accepté" in refused.json()["error"]["message"]
    not_author = attach(gateway, campaign.ars, "contracts", member.contract_id, asked.json()["id"], "a.pdf", pdf())
    assert not_author.status_code == 403 and not_author.json()["error"]["code"] == "not_author"
    secret = attach(gateway, campaign.ars, "contracts", member.contract_id, note.json()["id"], "note.pdf", pdf())
    assert secret.status_code == 201, secret.text
    listing = f"{gateway}/api/documents/messages/contracts/{member.contract_id}/documents"
    assert [d["name"] for d in httpx.get(listing, headers=bearer(campaign.ars)).json()["items"]] == [
        "bilan 2023.pdf", "note.pdf"]
    assert [d["name"] for d in httpx.get(listing, headers=bearer(member.tokens)).json()["items"]] == [
        "bilan 2023.pdf"]
    by_id = f"{gateway}/api/documents/documents/{secret.json()['id']}/content"
    assert httpx.get(by_id, headers=bearer(member.tokens)).status_code == 404
    assert httpx.get(by_id, headers=bearer(campaign.ars)).content == pdf()

    # another EJ's user reaches neither the thread, nor its messages, nor its attachments
    assert httpx.get(url, headers=bearer(other.tokens)).status_code == 404
    assert httpx.post(url, headers=bearer(other.tokens), json={"text": "intrus"}).status_code == 404
    assert httpx.get(listing, headers=bearer(other.tokens)).status_code == 404
    assert attach(gateway, other.tokens, "contracts", member.contract_id, asked.json()["id"], "a.pdf",
                  pdf()).status_code == 404
    assert httpx.get(f"{gateway}/api/documents/documents/{joined.json()['id']}",
                     headers=bearer(other.tokens)).status_code == 404

    # the contract's history holds the two messages exchanged (not the note)
    with connect(stack) as conn:
        rows = [(row["message_id"], row["by_email"]) for row in conn.execute(
            "SELECT new->>'message_id' AS message_id, by_email FROM contracts.audit WHERE contract_id = %s "
            "AND field = 'message' ORDER BY id", (member.contract_id,)).fetchall()]
    assert rows == [(asked.json()["id"], member.email), (answered.json()["id"], campaign.ars_email)]

    # the campaign export: « Messages » 2 (the note not counted), « Dernier message le » filled; 0 for the other
    export = httpx.get(campaign.url(gateway, "/export"), params={"format": "csv", "shape": "wide"},
                       headers=bearer(campaign.ars))
    assert export.status_code == 200, export.text
    table = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][-3:-1] == ["Messages", "Dernier message le"]  # then « À suivre » (docs/data-entry.md)
    by_finess = {row[0]: row for row in table[1:]}
    assert by_finess[member.finess][-3] == "2" and by_finess[member.finess][-2][:2].isdigit()
    assert by_finess[other.finess][-3:-1] == ["0", ""]


def test_bad_messages_are_refused_in_french_naming_the_field(gateway, campaign):
    member = campaign.members[0]
    url = messages_url(gateway, "contracts", f"/contracts/{member.contract_id}")
    for body, expected in (({"text": "   "}, "Le message est vide"), ({}, "Le message est vide"),
                           ({"text": "x" * 5001}, "Le message dépasse 5 000 caractères"),
                           ({"text": 12}, "Le message doit être un texte")):
        answer = httpx.post(url, headers=bearer(member.tokens), json=body)
        assert answer.status_code == 422, answer.text
        error = answer.json()["error"]
        assert error["code"] == "validation_failed" and error["message"].startswith(expected)
        assert "text" in error["details"]
    assert httpx.post(url, headers=bearer(member.tokens), json={"text": "x" * 5000}).status_code == 201
    private = httpx.post(url, headers=bearer(member.tokens), json={"text": "note", "private": True})
    assert private.status_code == 403 and private.json()["error"]["code"] == "private_note_forbidden"
    assert "Seule l'autorité" in private.json()["error"]["message"]
    flag = httpx.post(url, headers=bearer(campaign.ars), json={"text": "note", "private": "oui"})
    assert flag.status_code == 422 and "private" in flag.json()["error"]["details"]
    malformed = httpx.post(url, headers={**bearer(member.tokens), "Content-Type": "application/json"}, content=b"{")
    assert malformed.status_code == 400 and malformed.json()["error"]["code"] == "invalid_json"
    unknown = messages_url(gateway, "contracts", "/contracts/00000000-0000-4000-8000-000000000000")
    assert httpx.get(unknown, headers=bearer(campaign.ars)).status_code == 404


def test_a_cpom_thread_emails_the_project_team_and_keeps_the_authorities_notes_to_them(gateway, stack, mailbox):
    ars = cpom_support.user(stack, gateway, role="ars", region="Bretagne")
    org = cpom_support.organisation(gateway, ars)
    team = {"referent": {"nom_complet": "Référente ARS", "courriel": f"referente-{org['finess']}@ars.test"},
            "etablissement": [{"nom_complet": "RENAUD Jerome", "courriel": f"jerome-{org['finess']}@ej.test"}]}
    cpom_id = cpom_support.create_cpom(gateway, ars, org, equipe=team)["id"]
    email, _ = active_user(stack)
    grant_ej(gateway, ars.tokens, org["finess"], email)
    gestionnaire = sign_in(gateway, email)
    stranger_email, _ = active_user(stack)
    stranger = sign_in(gateway, stranger_email)
    url = messages_url(gateway, "cpom", f"/cpoms/{cpom_id}")
    deadline = time.monotonic() + 15  # until cpom's projection learnt the habilitation
    while httpx.get(f"{gateway}/api/cpom/cpoms/{cpom_id}", headers=bearer(gestionnaire)).status_code != 200:
        assert time.monotonic() < deadline, "cpom never learnt of the habilitation"
        time.sleep(0.1)

    sent = httpx.post(url, headers=bearer(gestionnaire), json={"text": "Le diagnostic est déposé."})
    assert sent.status_code == 201, sent.text
    [mail] = mailbox.wait_for(team["referent"]["courriel"])
    assert "Le diagnostic est déposé." in mail["text"] and f"/cpom/{cpom_id}/messages" in mail["text"]
    note = httpx.post(url, headers=ars.headers, json={"text": "Relancer en juin.", "private": True})
    reply = httpx.post(url, headers=ars.headers, json={"text": "Merci, nous l'étudions."})
    assert note.status_code == reply.status_code == 201
    mailbox.wait_for(team["etablissement"][0]["courriel"])

    assert [m["text"] for m in httpx.get(url, headers=ars.headers).json()["items"]] == [
        "Le diagnostic est déposé.", "Relancer en juin.", "Merci, nous l'étudions."]
    assert [m["text"] for m in httpx.get(url, headers=bearer(gestionnaire)).json()["items"]] == [
        "Le diagnostic est déposé.", "Merci, nous l'étudions."]
    assert httpx.get(f"{url}/{note.json()['id']}", headers=bearer(gestionnaire)).status_code == 404
    assert httpx.get(url, headers=bearer(stranger)).status_code == 404
    assert attach(gateway, stranger, "cpoms", cpom_id, sent.json()["id"], "a.pdf", pdf()).status_code == 404
    assert attach(gateway, gestionnaire, "cpoms", cpom_id, sent.json()["id"], "diagnostic.pdf",
                  pdf()).status_code == 201
    too_long = httpx.post(url, headers=bearer(gestionnaire), json={"text": "é" * 5001})
    assert too_long.status_code == 422 and too_long.json()["error"]["details"]["text"].startswith("Le message dépasse")
