"""Organisations through the gateway (guide 004 « Depuis la page d'accueil », « Consulter un CPOM »): the
CSV import, the home list « Gestion des Contrats » and the EJ page."""

import httpx
import pytest

from tests.support.cpom import api, count, create_cpom, grant, import_csv, new_finess, organisation, user

HEADER = "type;finess;nom;adresse;telephone;finess_ej;region;domaine"


@pytest.fixture(scope="module")
def ars(stack, gateway):
    return user(stack, gateway, role="ars", region="Bretagne")


def test_a_good_csv_creates_then_updates_ej_and_et(gateway, stack, ars):
    ej, et1, et2 = new_finess("22"), new_finess("22"), new_finess("35")
    text = "\n".join([HEADER, f"EJ;{ej};CCAS TEST;22650 BEAUSSAIS SUR MER;02 96 27 20 27;;;",
                      f"ET;{et1};RESIDENCE DU PARC;5 R ERNEST ROUEL 22660 BEAUSSAIS;;{ej};Bretagne;Médico-social",
                      f"ET;{et2};FOYER;1 R DE RENNES;;{ej};bretagne;Médico-social"]) + "\n"
    answer = import_csv(gateway, ars, text)
    assert answer.status_code == 200, answer.text
    assert answer.json()["ej"] == {"crees": 1, "modifies": 0} and answer.json()["et"] == {"crees": 2, "modifies": 0}
    again = import_csv(gateway, ars, text.replace("CCAS TEST", "CCAS TEST RENOMME"))
    assert again.json()["ej"] == {"crees": 0, "modifies": 1} and again.json()["et"]["modifies"] == 2
    page = httpx.get(api(gateway, f"/ej/{ej}"), headers=ars.headers).json()
    assert page["raison_sociale"] == "CCAS TEST RENOMME" and page["telephone"] == "0296272027"
    assert page["departement"] == "22"
    assert {(e["finess"], e["region"], e["domaine"]) for e in page["etablissements"]} == {
        (et1, "Bretagne", "Médico-social"), (et2, "Bretagne", "Médico-social")}


def test_bad_rows_are_named_and_nothing_is_half_imported(gateway, stack, ars):
    good_ej, good_et, unknown_parent = new_finess("22"), new_finess("22"), new_finess("29")
    bad_key = good_ej[:8] + str((int(good_ej[8]) + 1) % 10)
    text = "\n".join([HEADER,
                      f"EJ;{good_ej};BON EJ;ADRESSE;;;;",
                      f"ET;{good_et};BON ET;ADRESSE;;{good_ej};Bretagne;Médico-social",
                      f"EJ;{bad_key};CLE FAUSSE;ADRESSE;;;;",
                      f"ET;{new_finess('22')};ORPHELIN;ADRESSE;;{unknown_parent};Bretagne;Médico-social",
                      f"ET;{new_finess('22')};SANS REGION;ADRESSE;;{good_ej};;Médico-social",
                      f"EJ;{good_ej[:8]};TROP COURT;ADRESSE;;;;"]) + "\n"
    before = count(stack, "SELECT count(*) AS n FROM cpom.ej") + count(stack, "SELECT count(*) AS n FROM cpom.et")
    answer = import_csv(gateway, ars, text)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_rows"
    assert "rien n'a été importé" in answer.json()["error"]["message"]
    lines = {row["ligne"]: row["erreurs"] for row in answer.json()["error"]["details"]["lignes"]}
    assert set(lines) == {4, 5, 6, 7}
    assert "clé de contrôle" in lines[4]["finess"]
    assert unknown_parent in lines[5]["finess_ej"]
    assert lines[6] == {"region": "obligatoire pour un ET"}
    assert "9 caractères" in lines[7]["finess"]
    after = count(stack, "SELECT count(*) AS n FROM cpom.ej") + count(stack, "SELECT count(*) AS n FROM cpom.et")
    assert after == before  # not even the good rows


@pytest.mark.parametrize("text, code", [
    ("type;finess;nom;adresse;couleur\nEJ;220006175;X;Y;bleu\n", "invalid_csv"),
    (HEADER + "\n", "invalid_csv"),
    ("", "invalid_csv"),
])
def test_an_unreadable_file_is_refused(gateway, ars, text, code):
    answer = import_csv(gateway, ars, text)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == code


def test_only_authorities_import(gateway, stack):
    text = f"{HEADER}\nEJ;{new_finess()};X;Y;;;;\n"
    for role in ("etablissement", "support"):
        assert import_csv(gateway, user(stack, gateway, role=role), text).status_code == 403
    assert import_csv(gateway, user(stack, gateway, role="cd", departement="22"), text).status_code == 200
    assert import_csv(gateway, user(stack, gateway, role="admin"), text).status_code == 200
    assert httpx.post(api(gateway, "/organisations/import"), content=text.encode()).status_code == 401


def test_the_home_list_shows_my_ejs_sorted_and_paginated(gateway, stack, ars):
    gestionnaire = user(stack, gateway)
    mine = []
    for i in range(22):
        finess = new_finess("22")
        text = f"{HEADER}\nEJ;{finess};EJ {chr(65 + i % 26)}{i:02d};{i:02d} RUE;02{i:08d};;;\n"
        assert import_csv(gateway, ars, text).status_code == 200
        grant(stack, gestionnaire.user_id, "ej", finess)
        mine.append(finess)
    organisation(gateway, ars)  # someone else's EJ
    first = httpx.get(api(gateway, "/ej"), headers=gestionnaire.headers).json()
    assert first["total"] == 22 and first["pages"] == 2 and first["page"] == 1 and len(first["items"]) == 20
    assert [c["libelle"] for c in first["colonnes"]] == ["Etablissement (EJ)", "Adresse", "Téléphone"]
    assert [i["finess"] for i in first["items"]] == sorted(mine)[:20]
    item = first["items"][0]
    assert item["etablissement"] == f"{item['finess']} - {item['raison_sociale']}"
    second = httpx.get(api(gateway, "/ej"), params={"page": 2}, headers=gestionnaire.headers).json()
    assert [i["finess"] for i in second["items"]] == sorted(mine)[20:]
    by_address = httpx.get(api(gateway, "/ej"), params={"sort": "-adresse"}, headers=gestionnaire.headers).json()
    assert by_address["items"][0]["adresse"] == "21 RUE"
    by_phone = httpx.get(api(gateway, "/ej"), params={"sort": "telephone"}, headers=gestionnaire.headers).json()
    assert by_phone["items"][0]["telephone"] == "0200000000"
    for bad in ({"sort": "couleur"}, {"page": "0"}, {"page": "x"}):
        refused = httpx.get(api(gateway, "/ej"), params=bad, headers=gestionnaire.headers)
        assert refused.status_code == 422 and set(bad) <= set(refused.json()["error"]["details"])


def test_authorities_see_the_ejs_of_their_region_or_departement(gateway, stack, ars):
    breton = organisation(gateway, ars, region="Bretagne", departement="29")
    normand = organisation(gateway, ars, region="Normandie", departement="14")

    def listed(who):
        pages, found, page = 1, set(), 1
        while page <= pages:
            answer = httpx.get(api(gateway, "/ej"), params={"page": page}, headers=who.headers).json()
            found |= {i["finess"] for i in answer["items"]}
            pages, page = answer["pages"], page + 1
        return found

    ars_bretagne = listed(ars)
    assert breton["finess"] in ars_bretagne and normand["finess"] not in ars_bretagne
    cd14 = listed(user(stack, gateway, role="cd", departement="14"))
    assert normand["finess"] in cd14 and breton["finess"] not in cd14
    assert listed(user(stack, gateway)) == set()  # an établissement user with no habilitation
    assert httpx.get(api(gateway, f"/ej/{normand['finess']}"), headers=ars.headers).status_code == 404


def test_the_ej_page_lists_my_cpoms_contacts_and_establishments(gateway, stack, ars):
    org = organisation(gateway, ars, ets=1)
    team = {"etablissement": [{"nom_complet": "GIRONDE_Jer", "courriel": "zegzeff@fr.fr"},
                              {"nom_complet": "RENAUD_Jerome", "fonction": "Directeur",
                               "courriel": "jeromerenaud@gmail.com"}]}
    cpom = create_cpom(gateway, ars, org, planning={"date_effet": "2022-01-01"}, equipe=team)
    gestionnaire = user(stack, gateway)
    grant(stack, gestionnaire.user_id, "ej", org["finess"])
    page = httpx.get(api(gateway, f"/ej/{org['finess']}"), headers=gestionnaire.headers)
    assert page.status_code == 200
    body = page.json()
    assert body["finess"] == org["finess"] and body["raison_sociale"].startswith("EJ TEST")
    [line] = body["cpoms"]
    assert line == {"id": cpom["id"], "nom": cpom["nom"], "cree_le": cpom["cree_le"], "statut": "1 Préparation",
                    "raison_du_statut": "1 Préparation", "competence": "Conjointe", "date_effet": "2022-01-01"}
    assert [(c["nom_complet"], c["fonction"]) for c in body["contacts"]] == [("GIRONDE_Jer", ""),
                                                                              ("RENAUD_Jerome", "Directeur")]
    [et] = body["etablissements"]
    assert et["finess"] == org["ets"][0] and et["region"] == "Bretagne" and et["domaine"] == "Médico-social"

    # a user granted only the CPOM reaches the EJ page through it; a stranger does not
    collaborator = user(stack, gateway)
    grant(stack, collaborator.user_id, "cpom", cpom["id"])
    assert [c["id"] for c in httpx.get(api(gateway, f"/ej/{org['finess']}"),
                                       headers=collaborator.headers).json()["cpoms"]] == [cpom["id"]]
    assert httpx.get(api(gateway, f"/ej/{org['finess']}"), headers=user(stack, gateway).headers).status_code == 404
    assert httpx.get(api(gateway, f"/ej/{org['finess']}")).status_code == 401
    assert httpx.get(api(gateway, "/ej/123"), headers=ars.headers).status_code == 404
