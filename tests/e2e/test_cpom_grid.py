"""« Grille des objectifs » through the gateway: building the grid, the fiche Objectif (5 actions at most),
the fiche indicateur (values ET par ET, rates), « Remarques »."""

import httpx
import pytest

from tests.support.cpom import api, by_code, count, create_cpom, grant, grid_document, organisation, put_grid, user
from tests.support.db import rows


@pytest.fixture(scope="module")
def ars(stack, gateway):
    return user(stack, gateway, role="ars", region="Bretagne")


@pytest.fixture()
def setting(stack, gateway, ars):
    org = organisation(gateway, ars)
    cpom = create_cpom(gateway, ars, org)
    assert put_grid(gateway, ars, cpom["id"], grid_document(org["ets"])).status_code == 200
    gestionnaire = user(stack, gateway)
    grant(stack, gestionnaire.user_id, "ej", org["finess"])
    grid = httpx.get(api(gateway, f"/cpoms/{cpom['id']}/grille"), headers=gestionnaire.headers).json()
    return {"org": org, "cpom": cpom, "gestionnaire": gestionnaire, "codes": by_code(grid), "grid": grid}


def test_the_grid_is_imported_with_its_hierarchy(gateway, stack, ars, setting):
    grid = setting["grid"]
    assert [(a["code"], [o["code"] for o in a["objectifs"]]) for a in grid["axes"]] == [
        ("A1", ["O1", "O2"]), ("A2", ["O3"])]
    rate = setting["codes"]["PILOT 072"]
    assert rate["type"] == {"code": "taux", "libelle": "Taux"}
    assert rate["declinaison"] == {"code": "et_par_et", "libelle": "ET par ET"}
    assert grid["complet"] is False and grid["remarques"] == []
    o2 = setting["codes"]["O2"]
    assert o2["perimetre"]["tous"] is False and [e["finess"] for e in o2["perimetre"]["etablissements"]] == [
        setting["org"]["ets"][0]]


def test_a_bad_grid_document_is_refused_whole(gateway, stack, ars, setting):
    cpom_id = setting["cpom"]["id"]
    document = grid_document(setting["org"]["ets"])
    document["axes"][0]["objectifs"][0]["indicateurs"][0]["type"] = "pourcentage"
    document["axes"][1]["objectifs"].append({"code": "O1", "libelle": "doublon"})
    document["axes"][1]["objectifs"].append({"code": "O9", "libelle": "hors", "perimetre": ["999999999"]})
    before = count(stack, "SELECT count(*) AS n FROM cpom.indicateurs WHERE cpom_id = %s", cpom_id)
    answer = put_grid(gateway, ars, cpom_id, document)
    assert answer.status_code == 422
    assert set(answer.json()["error"]["details"]) == {"axes[0].objectifs[0].indicateurs[0].type",
                                                      "axes[1].objectifs[1].code", "axes[1].objectifs[2].perimetre"}
    assert count(stack, "SELECT count(*) AS n FROM cpom.indicateurs WHERE cpom_id = %s", cpom_id) == before
    assert put_grid(gateway, setting["gestionnaire"], cpom_id, grid_document(setting["org"]["ets"])
                    ).status_code == 403


def test_the_grid_is_built_item_by_item(gateway, stack, ars, setting):
    cpom_id = setting["cpom"]["id"]
    axe = httpx.post(api(gateway, f"/cpoms/{cpom_id}/axes"), headers=ars.headers,
                     json={"code": "A3", "libelle": "Soins"})
    assert axe.status_code == 201
    objectif = httpx.post(api(gateway, f"/cpoms/{cpom_id}/axes/{axe.json()['id']}/objectifs"), headers=ars.headers,
                          json={"code": "O4", "libelle": "Prévenir", "perimetre": "tous"})
    assert objectif.status_code == 201 and objectif.json()["hierarchie"][0]["code"] == "A3"
    indicateur = httpx.post(api(gateway, f"/cpoms/{cpom_id}/objectifs/{objectif.json()['id']}/indicateurs"),
                            headers=ars.headers, json={"code": "SOIN 2", "libelle": "Chutes", "type": "quantitatif",
                                                       "categorie": "soins", "declinaison": "cpom"})
    assert indicateur.status_code == 201 and indicateur.json()["objectif"]["code"] == "O4"
    taken = httpx.post(api(gateway, f"/cpoms/{cpom_id}/axes"), headers=ars.headers, json={"code": "A3", "libelle": "x"})
    assert taken.status_code == 422 and "code" in taken.json()["error"]["details"]
    changed = httpx.patch(api(gateway, f"/cpoms/{cpom_id}/objectifs/{objectif.json()['id']}"), headers=ars.headers,
                          json={"elements_og": ["Oui", "Non"], "perimetre": [setting["org"]["ets"][1]]})
    assert changed.status_code == 200 and changed.json()["option_og"] == {"active": True, "elements": ["Oui", "Non"],
                                                                          "element_selectionne": None}
    assert httpx.post(api(gateway, f"/cpoms/{cpom_id}/axes"), headers=setting["gestionnaire"].headers,
                      json={"code": "A4", "libelle": "x"}).status_code == 403
    assert httpx.delete(api(gateway, f"/cpoms/{cpom_id}/axes/{axe.json()['id']}"),
                        headers=ars.headers).status_code == 204
    assert "O4" not in by_code(httpx.get(api(gateway, f"/cpoms/{cpom_id}/grille"), headers=ars.headers).json())


def test_five_actions_are_saved_and_a_sixth_is_refused(gateway, stack, setting):
    cpom_id, gestionnaire = setting["cpom"]["id"], setting["gestionnaire"]
    objectif_id = setting["codes"]["O1"]["id"]
    url = api(gateway, f"/cpoms/{cpom_id}/objectifs/{objectif_id}")
    fiche = httpx.get(url, headers=gestionnaire.headers).json()
    assert fiche["hierarchie"] == [{"niveau": "Axe", "code": "A1", "libelle": "Accompagnement"},
                                   {"niveau": "Objectif", "code": "O1", "libelle": "Personnaliser l'accompagnement"}]
    assert fiche["perimetre"]["libelle"] == "Tous les établissements du CPOM"
    assert [i["code"] for i in fiche["indicateurs"]] == ["PILOT 072", "ACC 1"]
    assert fiche["option_og"]["active"] is False and fiche["max_actions"] == 5
    for n in range(1, 6):
        added = httpx.post(f"{url}/actions", headers=gestionnaire.headers, json={"libelle": f"Action {n}"})
        assert added.status_code == 201 and added.json()["numero"] == n
    sixth = httpx.post(f"{url}/actions", headers=gestionnaire.headers, json={"libelle": "Action 6"})
    assert sixth.status_code == 422
    assert sixth.json()["error"]["message"] == "Vous pouvez renseigner jusqu'à 5 actions par objectif."
    assert count(stack, "SELECT count(*) AS n FROM cpom.actions WHERE objectif_id = %s", objectif_id) == 5

    six = httpx.put(f"{url}/saisie", headers=gestionnaire.headers, json={"actions": [f"A{n}" for n in range(6)]})
    assert six.status_code == 422 and "5 actions" in six.json()["error"]["message"]
    saved = httpx.put(f"{url}/saisie", headers=gestionnaire.headers, json={"actions": ["Première", "Seconde"]})
    assert [a["libelle"] for a in saved.json()["actions"]] == ["Première", "Seconde"]
    for bad, field in [({"actions": ["ok", ""]}, "actions[1]"), ({"actions": "une"}, "actions"),
                       ({"element_selectionne_og": "Prioritaire"}, "element_selectionne_og"),  # option off here
                       ({"commentaire": "x"}, "commentaire")]:
        refused = httpx.put(f"{url}/saisie", headers=gestionnaire.headers, json=bad)
        assert refused.status_code == 422 and field in refused.json()["error"]["details"], bad
    assert [a["libelle"] for a in httpx.get(url, headers=gestionnaire.headers).json()["actions"]] == [
        "Première", "Seconde"]
    assert httpx.post(f"{url}/actions", headers=user(stack, gateway, role="ars", region="Bretagne").headers,
                      json={"libelle": "par l'ARS"}).status_code == 403

    o2 = api(gateway, f"/cpoms/{cpom_id}/objectifs/{setting['codes']['O2']['id']}")
    assert httpx.put(f"{o2}/saisie", headers=gestionnaire.headers,
                     json={"element_selectionne_og": "Tertiaire"}).status_code == 422
    chosen = httpx.put(f"{o2}/saisie", headers=gestionnaire.headers, json={"element_selectionne_og": "Prioritaire"})
    assert chosen.json()["option_og"]["element_selectionne"] == "Prioritaire"


def test_an_indicator_et_par_et_with_a_rate(gateway, stack, setting):
    cpom_id, gestionnaire, ets = setting["cpom"]["id"], setting["gestionnaire"], setting["org"]["ets"]
    url = api(gateway, f"/cpoms/{cpom_id}/indicateurs/{setting['codes']['PILOT 072']['id']}")
    fiche = httpx.get(url, headers=gestionnaire.headers).json()
    assert fiche["objectif"]["code"] == "O1" and fiche["categorie"]["libelle"] == "Pilotage interne"
    assert fiche["indications"] == "résultat / produits"
    assert [(v["etablissement"]["finess"], v["renseignee"]) for v in fiche["valeurs"]] == [
        (ets[0], False), (ets[1], False)]
    saved = httpx.put(f"{url}/valeurs", headers=gestionnaire.headers, json={"valeurs": [
        {"etablissement": ets[0], "numerateur": 1, "denominateur": 8},
        {"etablissement": ets[1], "numerateur": "2", "denominateur": "3"}]})
    assert saved.status_code == 200, saved.text
    values = {v["etablissement"]["finess"]: v for v in saved.json()["valeurs"]}
    assert (values[ets[0]]["taux"], values[ets[0]]["valeur_libelle"]) == (12.5, "12,50 %")
    assert (values[ets[1]]["taux"], values[ets[1]]["valeur_libelle"]) == (66.67, "66,67 %")
    assert values[ets[0]]["modifie_par"] == gestionnaire.email
    stored = rows(stack, "SELECT taux::text AS taux FROM cpom.valeurs WHERE indicateur_id = %s AND et_finess = %s",
                  setting["codes"]["PILOT 072"]["id"], ets[1])
    assert stored == [{"taux": "66.67"}]

    before = httpx.get(url, headers=gestionnaire.headers).json()["valeurs"]
    zero = httpx.put(f"{url}/valeurs", headers=gestionnaire.headers, json={"valeurs": [
        {"etablissement": ets[0], "numerateur": 5, "denominateur": 10},
        {"etablissement": ets[1], "numerateur": 5, "denominateur": 0}]})
    assert zero.status_code == 422
    assert zero.json()["error"]["details"] == {
        "valeurs[1].denominateur": "Le dénominateur ne peut pas être égal à 0 : le taux ne peut pas être calculé."}
    assert "dénominateur" in zero.json()["error"]["message"]
    for bad, field in [([{"etablissement": "999999999", "numerateur": 1, "denominateur": 2}],
                        "valeurs[0].etablissement"),
                       ([{"numerateur": 1, "denominateur": 2}], "valeurs[0].etablissement"),
                       ([{"etablissement": ets[0], "numerateur": "un", "denominateur": 2}], "valeurs[0].numerateur"),
                       ([{"etablissement": ets[0], "numerateur": 1, "denominateur": 2},
                         {"etablissement": ets[0], "numerateur": 1, "denominateur": 3}], "valeurs[1].etablissement"),
                       ([], "valeurs")]:
        refused = httpx.put(f"{url}/valeurs", headers=gestionnaire.headers, json={"valeurs": bad})
        assert refused.status_code == 422 and field in refused.json()["error"]["details"], bad
    assert httpx.get(url, headers=gestionnaire.headers).json()["valeurs"] == before  # nothing saved
    ars = user(stack, gateway, role="ars", region="Bretagne")
    assert httpx.put(f"{url}/valeurs", headers=ars.headers, json={"valeurs": [
        {"etablissement": ets[0], "numerateur": 1, "denominateur": 2}]}).status_code == 403


def test_values_of_the_other_kinds(gateway, stack, setting):
    cpom_id, gestionnaire, ets = setting["cpom"]["id"], setting["gestionnaire"], setting["org"]["ets"]
    codes = setting["codes"]

    def put(code, valeurs):
        return httpx.put(api(gateway, f"/cpoms/{cpom_id}/indicateurs/{codes[code]['id']}/valeurs"),
                         headers=gestionnaire.headers, json={"valeurs": valeurs})

    number = put("ACC 1", [{"etablissement": ets[0], "valeur": "1234,5"}, {"etablissement": ets[1], "valeur": 80}])
    assert [v["valeur_libelle"] for v in number.json()["valeurs"]] == ["1\u202f234,5", "80"]
    text = put("COOP 1", [{"valeur": "Convention avec le CH de Dinan"}])
    assert text.json()["valeurs"][0]["valeur"] == "Convention avec le CH de Dinan"
    assert text.json()["valeurs"][0]["etablissement"] is None
    assert put("COOP 1", [{"etablissement": ets[0], "valeur": "x"}]).status_code == 422  # CPOM level: no ET
    yes = put("SOIN 1", [{"etablissement": ets[0], "valeur": True}])
    assert yes.json()["valeurs"][0]["valeur_libelle"] == "Oui"
    out_of_scope = put("SOIN 1", [{"etablissement": ets[1], "valeur": True}])  # O2 applies to the first ET only
    assert out_of_scope.status_code == 422
    cleared = put("SOIN 1", [{"etablissement": ets[0], "effacer": True}])
    assert cleared.json()["valeurs"][0]["renseignee"] is False


def test_remarks_are_saved_dated_with_their_author(gateway, stack, ars, setting):
    cpom_id, gestionnaire = setting["cpom"]["id"], setting["gestionnaire"]
    url = api(gateway, f"/cpoms/{cpom_id}/remarques")
    first = httpx.post(url, headers=gestionnaire.headers, json={"texte": "Nous proposons d'ajouter un objectif."})
    assert first.status_code == 201
    assert first.json()["auteur"] == gestionnaire.email and first.json()["le"]
    assert httpx.post(url, headers=ars.headers, json={"texte": "Bien noté."}).status_code == 201
    for bad in ({"texte": ""}, {"texte": "x" * 5001}, {"texte": 12}, {}):
        assert httpx.post(url, headers=gestionnaire.headers, json=bad).status_code == 422
    listed = httpx.get(url, headers=gestionnaire.headers).json()["items"]
    assert [(r["texte"], r["role"]) for r in listed] == [("Nous proposons d'ajouter un objectif.", "etablissement"),
                                                         ("Bien noté.", "ars")]
    assert httpx.get(api(gateway, f"/cpoms/{cpom_id}/grille"), headers=ars.headers).json()["remarques"] == listed


def test_a_new_grid_keeps_what_was_entered_for_the_codes_it_keeps(gateway, stack, ars, setting):
    cpom_id, gestionnaire, ets = setting["cpom"]["id"], setting["gestionnaire"], setting["org"]["ets"]
    codes = setting["codes"]
    httpx.put(api(gateway, f"/cpoms/{cpom_id}/objectifs/{codes['O1']['id']}/saisie"), headers=gestionnaire.headers,
              json={"actions": ["Garder"]})
    httpx.put(api(gateway, f"/cpoms/{cpom_id}/indicateurs/{codes['ACC 1']['id']}/valeurs"),
              headers=gestionnaire.headers, json={"valeurs": [{"etablissement": ets[0], "valeur": 3}]})
    document = grid_document(ets)
    document["axes"][0]["objectifs"][0]["libelle"] = "Personnaliser (nouveau libellé)"
    del document["axes"][1]
    assert put_grid(gateway, ars, cpom_id, document).status_code == 200
    after = by_code(httpx.get(api(gateway, f"/cpoms/{cpom_id}/grille"), headers=ars.headers).json())
    assert "O3" not in after and after["O1"]["id"] == codes["O1"]["id"] and after["O1"]["nb_actions"] == 1
    fiche = httpx.get(api(gateway, f"/cpoms/{cpom_id}/indicateurs/{codes['ACC 1']['id']}"), headers=ars.headers)
    assert [v["valeur"] for v in fiche.json()["valeurs"] if v["renseignee"]] == [3]
