"""A page asked with a made-up id answers 404 « … introuvable » (issue 20, defect 4: /ej/abc answered 200 with the
raw id as its heading), for every page of the web UI that takes an id."""

import uuid
from contextlib import ExitStack

import pytest

from tests.support.identity import active_user
from tests.support.web import web_client

MADE_UP = str(uuid.uuid4())


@pytest.fixture(scope="module")
def people(stack, gateway):
    with ExitStack() as opened:
        yield {role: opened.enter_context(web_client(gateway, active_user(stack, role=role, region="Bretagne")[0]))
               for role in ("etablissement", "ars")}


@pytest.mark.parametrize("role", ["etablissement", "ars"])
@pytest.mark.parametrize("path", ["/ej/abc", "/ej/999999999", "/ej/2A0000000"])
def test_a_made_up_ej_is_introuvable(people, role, path):
    answer = people[role].get(path)
    assert answer.status_code == 404, (path, answer.status_code)
    assert "Entité juridique introuvable." in answer.text
    assert "<h1>999999999" not in answer.text and "abc</h1>" not in answer.text


@pytest.mark.parametrize("path, message", [
    (f"/contrats/{MADE_UP}", "Contrat introuvable."),
    (f"/contrats/{MADE_UP}/indicateurs", "Contrat introuvable."),
    (f"/contrats/{MADE_UP}/indicateurs/PIL%2001", "Contrat introuvable."),
    (f"/contrats/{MADE_UP}/export.docx", "Contrat introuvable."),
    (f"/contrats/{MADE_UP}/historique", "Contrat introuvable."),
    (f"/contrats/{MADE_UP}/documents/{MADE_UP}", "introuvable"),
    (f"/cpom/{MADE_UP}", "CPOM introuvable."),
    (f"/cpom/{MADE_UP}/objectifs/{MADE_UP}", "introuvable"),
    (f"/cpom/{MADE_UP}/indicateurs/{MADE_UP}", "introuvable"),
    (f"/cpom/{MADE_UP}/documents-de-reference", "CPOM introuvable."),
    (f"/cpom/{MADE_UP}/fiche-objectif/{MADE_UP}.docx", "introuvable"),
    (f"/cpom/{MADE_UP}/synthese.docx", "introuvable"),
    (f"/cpom/{MADE_UP}/journal", "CPOM introuvable."),
    (f"/campagnes/{MADE_UP}", "Campagne introuvable."),
    ("/contrats/abc", "introuvable"),
    ("/cpom/abc", "introuvable"),
])
def test_every_page_with_a_made_up_id_is_introuvable(people, path, message):
    answer = people["ars"].get(path, follow_redirects=True)  # a Word document not found goes back to its page
    assert answer.status_code == 404, (path, answer.status_code, answer.text[:300])
    assert message in answer.text, (path, answer.text[:2000])
