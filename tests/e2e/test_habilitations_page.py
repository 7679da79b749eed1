"""« Gestion des habilitations » of a CPOM (guide 004, « Ouvrir un accès à un collaborateur »), issue 20 defect 9:
it named the CPOM by its UUID, said « Aucune personne n'a encore accès » while the établissement user had access,
« Annuler » went to /accueil, a new contact did not join « Equipe Etablissement », and « Gérer les accès » was shown
to a user who was then refused."""

import re
import time

import pytest

from tests.support.contracts import grant_ej
from tests.support.cpom import create_cpom, organisation, user
from tests.support.identity import active_user
from tests.support.web import csrf_of, web_client

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def setting(stack, gateway):
    ars = user(stack, gateway, role="ars", region="Bretagne")
    org = organisation(gateway, ars, ets=1, name="CCAS HABIL")
    cpom = create_cpom(gateway, ars, org)
    member, _ = active_user(stack)
    grant_ej(gateway, ars.tokens, org["finess"], member)  # « MEMBRE Eve », through auth, on the EJ
    return {"ars": ars, "org": org, "cpom": cpom, "member": member}


def test_the_page_names_the_cpom_and_shows_who_reaches_it_through_the_ej(gateway, setting):
    cpom = setting["cpom"]
    with web_client(gateway, setting["ars"].email) as ars:
        page = ars.get(f"/habilitations/cpom/{cpom['id']}", headers={"Referer": f"{gateway}/cpom/{cpom['id']}"})
    assert page.status_code == 200
    scope = re.search(r'<p id="perimetre">(.*?)</p>', page.text, re.S).group(1)
    assert f"au CPOM « {cpom['nom']} »" in scope and not UUID.search(scope), scope
    assert "Aucune personne n'a encore accès" not in page.text
    inherited = re.search(r'<div class="fr-table[^"]*" id="acces-ej">(.*?)</table>', page.text, re.S).group(1)
    assert setting["member"] in inherited
    assert re.search(rf'<a class="fr-btn fr-btn--tertiary" href="/cpom/{cpom["id"]}">Annuler</a>', page.text)


def test_a_new_contact_joins_the_equipe_etablissement(gateway, setting):
    cpom = setting["cpom"]
    with web_client(gateway, setting["ars"].email) as ars:
        here = f"/habilitations/cpom/{cpom['id']}"
        form = ars.get(f"{here}?ajouter=1").text
        refused = ars.post(f"{here}/ajouter", data={"csrf_token": csrf_of(form), "civilite": "Mme", "nom": ""})
        assert refused.status_code == 422 and "Renseignez le champ « Nom »" in refused.text
        added = ars.post(f"{here}/ajouter", data={
            "csrf_token": csrf_of(form), "civilite": "Mme", "nom": "DURAND", "prenom": "Léa", "fonction": "Cadre",
            "email": "lea.durand@ehpad.test"})
        assert added.status_code == 303, added.text
        sheet = ars.get(f"/cpom/{cpom['id']}").text
    team = re.search(r'id="equipe-etablissement"(.*?)</table>', sheet, re.S).group(1)
    assert "DURAND Léa" in team and "lea.durand@ehpad.test" in team


def test_gerer_les_acces_only_for_those_who_may(gateway, setting):
    cpom = setting["cpom"]
    with web_client(gateway, setting["ars"].email) as ars:
        assert f'href="/habilitations/cpom/{cpom["id"]}">Gérer les accès</a>' in ars.get(f"/cpom/{cpom['id']}").text
    with web_client(gateway, setting["member"]) as member:
        deadline = time.monotonic() + 15  # the cpom service learns of the EJ access from auth's event
        while (sheet := member.get(f"/cpom/{cpom['id']}")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert sheet.status_code == 200
        assert "Gérer les accès" not in sheet.text
        assert member.get(f"/habilitations/cpom/{cpom['id']}").status_code == 403  # as the link would have led to
