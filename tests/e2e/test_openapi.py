"""Every service serves its OpenAPI description, reachable through the gateway without a token; and the bad
input the Schemathesis run (tests/reliability/test_schemathesis.py) found, each case written down."""

import io

import docx
import httpx
import pytest

from ecars_common.config import SERVICES
from tests.support import cpom as cpom_support
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in
from tests.support.services import document_of


@pytest.mark.parametrize("service", SERVICES)
def test_the_description_is_served_through_the_gateway_without_a_token(gateway, service):
    answer = httpx.get(f"{gateway}/api/{service}/openapi.json")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == document_of(service)
    assert answer.json()["servers"] == [{"url": f"/api/{service}"}]


def test_the_routes_it_describes_still_need_a_token(gateway):
    answer = httpx.get(f"{gateway}/api/contracts/ej")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "authentication_required"


def test_an_encoded_question_mark_or_control_character_in_a_path_reaches_the_service_as_sent(stack, gateway):
    """The gateway gets the path decoded and forwards it encoded again: a %3F stays in the id instead of
    starting a query string, and a control character is a 404, not a server error (found by Schemathesis)."""
    email, _ = active_user(stack)
    headers = bearer(sign_in(gateway, email))
    listed = httpx.get(f"{gateway}/api/contracts/ej/A%3FB/contracts", headers=headers)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {"items": []}
    for raw in ("%07", "%0C%F1%AD%A2%91", "a%23b", "%25zz"):
        answer = httpx.delete(f"{gateway}/api/auth/habilitations/{raw}", headers=headers)
        assert answer.status_code == 404, (raw, answer.text)
        assert answer.json()["error"]["code"] == "not_found"


def test_a_nul_or_lone_surrogate_in_a_json_field_is_a_422_naming_it(stack, gateway):
    """PostgreSQL cannot store NUL and UTF-8 cannot encode a lone surrogate: both were 500s (found by Schemathesis
    in a CPOM remark); every JSON body is now checked once, and nothing is written."""
    email, user_id = active_user(stack)
    headers = {**bearer(sign_in(gateway, email)), "Content-Type": "application/json"}
    bodies = ((b'{"nom": "DUP\\u0000ONT"}', "nom"), (b'{"prenom": "Marie", "fonction": "\\ud800"}', "fonction"),
              (b'{"nom": "X", "\\udc00": "y"}', "\ufffd"))
    for body, field in bodies:
        answer = httpx.patch(f"{gateway}/api/auth/me", headers=headers, content=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "validation_failed"
        assert answer.json()["error"]["details"] == {field: "caractère non autorisé"}
    [user] = rows(stack, "SELECT nom, prenom, fonction FROM auth.users WHERE id = %s", user_id)
    assert (user["nom"], user["prenom"], user["fonction"]) == ("DUPONT", "Marie", "")


def test_a_transmission_number_past_the_database_integer_is_a_404(stack, gateway):
    """GET /cpoms/{id}/transmissions/{version} with a version past 2^31 - 1 was a 500 (found by Schemathesis)."""
    ars = cpom_support.user(stack, gateway, "ars", region="Bretagne")
    cpom = cpom_support.create_cpom(gateway, ars, cpom_support.organisation(gateway, ars), competence="ARS")
    for version in (2**31, 10**12):
        answer = httpx.get(cpom_support.api(gateway, f"/cpoms/{cpom['id']}/transmissions/{version}"),
                           headers=ars.headers)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["code"] == "not_found"


def test_a_control_character_stored_in_a_cpom_still_gives_its_word_document(stack, gateway):
    """A remark with a control character (stored as sent) made the « Tableau de synthèse » a 500: Word's XML
    cannot hold it (found by Schemathesis). The document is built, the character shown as U+FFFD."""
    ars = cpom_support.user(stack, gateway, "ars", region="Bretagne")
    cpom = cpom_support.create_cpom(gateway, ars, cpom_support.organisation(gateway, ars), competence="ARS")
    remark = httpx.post(cpom_support.api(gateway, f"/cpoms/{cpom['id']}/remarques"), headers=ars.headers,
                        json={"texte": "Sonnerie\u0007 et saut\u000c de page"})
    assert remark.status_code == 201, remark.text
    assert remark.json()["texte"] == "Sonnerie\u0007 et saut\u000c de page"  # stored as sent
    answer = httpx.get(f"{gateway}/api/reporting/cpoms/{cpom['id']}/synthese.docx", headers=ars.headers)
    assert answer.status_code == 200, answer.text
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(answer.content)).paragraphs)
    assert "Sonnerie\ufffd et saut\ufffd de page" in text
