"""One set of value rules on both sides (ecars_common.values), stated in the indicators' definitions: numbers are
decimals end to end with a stated maximum, whole numbers refuse 4,5, bounds and units are those of the definition,
a rate of a part over a whole never exceeds 100 %, a date of a past event is never in the future."""

import copy

import httpx
import pytest

from tests.support import cpom as cpom_support
from tests.support.contracts import TEMPLATE, make_contract, save
from tests.support.db import rows
from tests.support.identity import bearer

MAXIMUM = "999\u202f999\u202f999\u202f999"


@pytest.fixture(scope="module")
def contract(gateway, stack):
    template = copy.deepcopy(TEMPLATE)
    template["indicators"][0]["questions"][0] |= {"integer": True, "unit": "personnes", "max": None}
    template["indicators"][3]["questions"][0]["not_future"] = True
    template["indicators"].append({"code": "MNT01", "label": "Montant des investissements", "category": "Pilotage",
                                   "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "number",
                                                  "unit": "€"}]})
    return make_contract(gateway, stack, template)


def refusal(answer: httpx.Response, field: str = "REALISE") -> str:
    assert answer.status_code == 422, answer.text
    return answer.json()["error"]["details"][field]


def test_a_huge_realise_is_refused_beyond_the_stated_maximum_and_the_largest_is_kept_exactly(gateway, contract):
    words = refusal(save(gateway, contract, "MNT01", {"REALISE": "99999999999999999999999999999"}))
    assert f"le nombre est trop grand : au plus {MAXIMUM}" in words
    assert "trop grand" in refusal(save(gateway, contract, "MNT01", {"REALISE": 99999999999999999999999999999}))
    assert save(gateway, contract, "MNT01", {"REALISE": "999 999 999 999,125"}).status_code == 200
    shown = httpx.get(contract.url(gateway, "/indicators/MNT01"), headers=bearer(contract.member)).json()
    [question] = shown["questions"]
    assert question["value"] == 999999999999.125 and question["display"] == f"{MAXIMUM},125"
    assert "au plus" in question["rule"] and question["unit"] == "€"


def test_whole_numbers_refuse_decimals_and_a_past_date_refuses_the_future(gateway, contract, stack):
    for typed in ("4,5", "12,5", 12.5):
        assert "un nombre entier est attendu" in refusal(save(gateway, contract, "ACC01", {"REALISE": typed}))
    assert "au moins 0 personnes" in refusal(save(gateway, contract, "ACC01", {"REALISE": -3}))
    assert "postérieure à aujourd'hui" in refusal(save(gateway, contract, "PAR01", {"REALISE": "15/03/2031"}))
    assert rows(stack, "SELECT count(*) AS n FROM contracts.indicator_answers WHERE contract_id = %s AND "
                       "indicator_code IN ('ACC01', 'PAR01')", contract.contract_id) == [{"n": 0}]
    assert save(gateway, contract, "ACC01", {"REALISE": "12"}).status_code == 200
    assert save(gateway, contract, "PAR01", {"REALISE": "15/03/2023"}).status_code == 200


def test_a_template_states_its_rules_and_a_wrong_one_is_refused(gateway, contract):
    bad = copy.deepcopy(TEMPLATE)
    bad["indicators"][2]["questions"][0]["integer"] = True  # a yes/no cannot be a whole number
    bad["indicators"][0]["questions"][0]["max"] = 1e15
    answer = httpx.post(f"{gateway}/api/contracts/campaigns/template", headers=bearer(contract.ars), json=bad)
    assert answer.status_code == 422
    assert {e["where"] for e in answer.json()["error"]["details"]["errors"]} == {
        "indicators[2].questions[0].integer", "indicators[0].questions[0].max"}


@pytest.fixture(scope="module")
def cpom_setting(gateway, stack):
    ars = cpom_support.user(stack, gateway, role="ars", region="Bretagne")
    org = cpom_support.organisation(gateway, ars)
    cpom = cpom_support.create_cpom(gateway, ars, org)
    document = cpom_support.grid_document(org["ets"])
    indicators = document["axes"][0]["objectifs"][0]["indicateurs"]
    indicators[1]["regles"] = {"entier": True, "minimum": 0, "unite": "personnes"}
    indicators.append({"code": "ACC 2", "libelle": "Taux de projets réévalués", "type": "taux",
                       "categorie": "accompagnement", "declinaison": "et_par_et",
                       "regles": {"partie_d_un_tout": True}})
    assert cpom_support.put_grid(gateway, ars, cpom["id"], document).status_code == 200
    gestionnaire = cpom_support.user(stack, gateway)
    cpom_support.grant(stack, gestionnaire.user_id, "ej", org["finess"])
    grid = httpx.get(cpom_support.api(gateway, f"/cpoms/{cpom['id']}/grille"), headers=gestionnaire.headers).json()
    return {"ars": ars, "cpom": cpom, "ets": org["ets"], "gestionnaire": gestionnaire,
            "codes": cpom_support.by_code(grid)}


def cpom_save(gateway, setting, code: str, value: dict) -> httpx.Response:
    path = f"/cpoms/{setting['cpom']['id']}/indicateurs/{setting['codes'][code]['id']}"
    return httpx.put(cpom_support.api(gateway, f"{path}/valeurs"), headers=setting["gestionnaire"].headers,
                     json={"valeurs": [{"etablissement": setting["ets"][0], **value}]})


def test_the_cpom_refuses_what_its_indicator_definition_refuses(gateway, cpom_setting):
    fiche = httpx.get(cpom_support.api(gateway, f"/cpoms/{cpom_setting['cpom']['id']}/indicateurs/"
                                                f"{cpom_setting['codes']['ACC 1']['id']}"),
                      headers=cpom_setting["gestionnaire"].headers).json()
    assert fiche["regles"] == {"entier": True, "minimum": 0, "unite": "personnes"}
    assert fiche["regles_texte"] == "Nombre entier au moins 0 (en personnes)."
    cases = [("ACC 1", {"valeur": -3}, "valeur", "la valeur doit être au moins 0 personnes"),
             ("ACC 1", {"valeur": "12,5"}, "valeur", "un nombre entier est attendu"),
             ("ACC 1", {"valeur": "99999999999999999999999999999"}, "valeur", f"trop grand : au plus {MAXIMUM}"),
             ("ACC 2", {"numerateur": 30, "denominateur": 25}, "numerateur", "le taux dépasserait 100 %"),
             ("PILOT 072", {"numerateur": "99999999999999999999999999999", "denominateur": 2}, "numerateur",
              "trop grand")]
    for code, value, field, words in cases:
        answer = cpom_save(gateway, cpom_setting, code, value)
        assert answer.status_code == 422, (code, value)
        detail = answer.json()["error"]["details"][f"valeurs[0].{field}"]
        assert words in detail and "un nombre est attendu" not in detail, (code, value, detail)
    assert cpom_save(gateway, cpom_setting, "ACC 1", {"valeur": "1 200"}).status_code == 200
    assert cpom_save(gateway, cpom_setting, "ACC 2", {"numerateur": 25, "denominateur": 25}).status_code == 200
    margin = cpom_save(gateway, cpom_setting, "PILOT 072", {"numerateur": -3, "denominateur": 25})  # may be < 0
    assert margin.status_code == 200, margin.text


def test_a_cpom_grid_with_wrong_rules_is_refused(gateway, cpom_setting):
    document = cpom_support.grid_document(cpom_setting["ets"])
    indicators = document["axes"][0]["objectifs"][0]["indicateurs"]
    indicators[0]["regles"] = {"entier": True}  # a taux is not a whole number
    indicators[1]["regles"] = {"minimum": 10, "maximum": 1}
    answer = cpom_support.put_grid(gateway, cpom_setting["ars"], cpom_setting["cpom"]["id"], document)
    assert answer.status_code == 422
    assert set(answer.json()["error"]["details"]) >= {"axes[0].objectifs[0].indicateurs[0].regles",
                                                      "axes[0].objectifs[0].indicateurs[1].regles.minimum"}
