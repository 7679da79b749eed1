"""The home list « Gestion des Contrats » has one source, the EJ referential (cpom's GET /ej): the EJs of the
referential, of the CPOMs and — learnt from contracts' `contracts.contract.created` events — of the
self-evaluation contracts, each with whether it has contracts and CPOMs; one page at a time, whatever the size of
the region: every EJ of a 4,000-EJ region is reachable."""

import time

import httpx

from tests.conftest import unique
from tests.support.contracts import make_contract
from tests.support.cpom import api, create_cpom, new_finess, organisation, user
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in

HEADER = "type;finess;nom;adresse;telephone;finess_ej;region;domaine"


def home(gateway: str, tokens: dict, **params) -> dict:
    answer = httpx.get(api(gateway, "/ej"), params=params, headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    return answer.json()


def every_ej(gateway: str, tokens: dict, **params) -> list[dict]:
    """Every page, from the first, by « page suivante » (the answer's `next` cursor)."""
    listing = home(gateway, tokens, **params)
    found = listing["items"]
    while listing["next"]:
        listing = home(gateway, tokens, cursor=listing["next"], **params)
        found += listing["items"]
    return found


def listed_soon(gateway: str, tokens: dict, finess: str, timeout: float = 15) -> dict | None:
    """The EJ's row on the caller's home list once the referential learnt of it (by event), else None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = next((e for e in every_ej(gateway, tokens) if e["finess"] == finess), None)
        if row is not None:
            return row
        time.sleep(0.1)
    return None


def grant(gateway: str, ars_tokens: dict, scope_type: str, scope_id: str, email: str) -> None:
    answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(ars_tokens), json={
        "scope_type": scope_type, "scope_id": scope_id, "civilite": "M.", "nom": "CONTRAT", "prenom": "Léo",
        "fonction": "Directeur", "email": email})
    assert answer.status_code == 201, answer.text


def test_a_contract_brings_its_ej_to_the_home_list_of_its_region_and_its_users(gateway, stack):
    setup = make_contract(gateway, stack)  # an EJ the referential did not hold, its name copied on the contract
    row = listed_soon(gateway, setup.ars, setup.finess)
    assert row is not None, "the referential never learnt of the contract"
    assert (row["raison_sociale"], row["adresse"], row["telephone"]) == (
        f"EJ {setup.finess}", "1 rue de la Paix 35000 RENNES", "0299000000")
    assert (row["a_des_contrats"], row["a_des_cpom"]) == (True, False)
    assert listed_soon(gateway, setup.member, setup.finess) is not None  # the EJ's interlocutor
    only_contract, _ = active_user(stack)
    grant(gateway, setup.ars, "contract", setup.contract_id, only_contract)
    assert listed_soon(gateway, sign_in(gateway, only_contract), setup.finess) is not None
    elsewhere = sign_in(gateway, active_user(stack, role="ars", region="Normandie")[0])
    assert setup.finess not in {e["finess"] for e in every_ej(gateway, elsewhere)}
    stranger = sign_in(gateway, active_user(stack)[0])
    assert home(gateway, stranger)["items"] == []
    assert rows(stack, "SELECT ej_finess, region FROM cpom.contrats WHERE contract_id = %s", setup.contract_id) == [
        {"ej_finess": setup.finess, "region": "Bretagne"}]


def test_the_referential_keeps_its_own_record_and_flags_cpoms(gateway, stack):
    ars = user(stack, gateway, role="ars", region="Bretagne")
    org = organisation(gateway, ars, name="EJ DU REFERENTIEL")
    create_cpom(gateway, ars, org)
    row = listed_soon(gateway, ars.tokens, org["finess"])
    assert (row["raison_sociale"], row["a_des_contrats"], row["a_des_cpom"]) == (
        f"EJ DU REFERENTIEL {org['finess']}", False, True)
    campaign = httpx.post(f"{gateway}/api/contracts/campaigns", headers=ars.headers, json={
        "name": unique("Campagne"), "evaluated_year": 2023, "starts_on": "2024-01-15", "ends_on": "2024-06-30",
        "region": "Bretagne", "template": {"indicators": [{"code": "A", "label": "A", "questions": [
            {"code": "Q", "label": "Q", "kind": "number"}]}]}}).json()
    contract = httpx.post(f"{gateway}/api/contracts/campaigns/{campaign['id']}/contracts", headers=ars.headers, json={
        "name": "Auto-évaluation", "ej_finess": org["finess"], "ej_raison_sociale": "NOM COPIE AUTREMENT"})
    assert contract.status_code == 201, contract.text
    deadline = time.monotonic() + 15
    while not listed_soon(gateway, ars.tokens, org["finess"])["a_des_contrats"] and time.monotonic() < deadline:
        time.sleep(0.1)
    row = listed_soon(gateway, ars.tokens, org["finess"])
    assert (row["raison_sociale"], row["a_des_contrats"], row["a_des_cpom"]) == (
        f"EJ DU REFERENTIEL {org['finess']}", True, True)


def test_every_ej_of_a_4000_ej_region_is_reachable_from_the_home_list(gateway, stack):
    """Guyane holds no other test's EJs; their names sort after any other, so the last page ends with ours."""
    ars = user(stack, gateway, role="ars", region="Guyane")
    run = unique("").strip("-")[:6].upper()
    mine = [(new_finess("22"), f"ZZ REGION {run} {i:04d}") for i in range(4000)]
    lines = [HEADER]
    for finess, name in mine:
        lines.append(f"EJ;{finess};{name};{len(lines)} RUE DE CAYENNE;0594000000;;;")
        lines.append(f"ET;{new_finess('22')};ET DE {finess};1 AV DU PORT;;{finess};Guyane;Médico-social")
    answer = httpx.post(api(gateway, "/organisations/import"), headers={**ars.headers, "Content-Type": "text/csv"},
                        content=("\n".join(lines) + "\n").encode(), timeout=120)
    assert answer.status_code == 200, answer.text
    first = home(gateway, ars.tokens, sort="raison_sociale")
    assert first["total"] >= 4000 and first["pages"] == -(-first["total"] // 20) >= 200
    # the total is the one the import's trigger kept for the region (migration 0011), that counting gives
    assert first["total"] == rows(stack, "SELECT count(*) AS n FROM cpom.ej WHERE regions @> ARRAY['Guyane']")[0]["n"]
    assert rows(stack, "SELECT ej FROM cpom.region_counts WHERE region = 'Guyane'") == [{"ej": first["total"]}]
    reached = every_ej(gateway, ars.tokens, sort="raison_sociale")  # 200 pages by cursor
    assert {finess for finess, _ in mine} <= {e["finess"] for e in reached}
    assert len(reached) == first["total"] == len({e["finess"] for e in reached})
    last = home(gateway, ars.tokens, sort="raison_sociale", cursor=first["last"])
    assert last["items"][-1]["raison_sociale"] == mine[-1][1] and last["page"] == last["pages"]
    assert (last["next"], last["last"]) == (None, None) and last["items"] == reached[-len(last["items"]):]
    before_last = home(gateway, ars.tokens, sort="raison_sociale", cursor=last["previous"])
    assert before_last["page"] == last["pages"] - 1
    assert before_last["items"] == reached[-len(last["items"]) - 20:-len(last["items"])]
    page_5 = home(gateway, ars.tokens, sort="raison_sociale", page=5)  # the first pages keep their numbers
    assert page_5["page"] == 5 and page_5["items"] == reached[80:100]
    page_6 = home(gateway, ars.tokens, sort="raison_sociale", cursor=page_5["next"])
    assert page_6["page"] == 6 and page_6["items"] == reached[100:120]
    assert home(gateway, ars.tokens, sort="raison_sociale", cursor=page_6["previous"])["items"] == page_5["items"]
    descending = home(gateway, ars.tokens, sort="-raison_sociale")
    assert descending["items"][0]["raison_sociale"] == mine[-1][1]
    down = home(gateway, ars.tokens, sort="-raison_sociale", cursor=descending["next"])
    assert down["items"] == list(reversed(reached))[20:40]
    searched = home(gateway, ars.tokens, q=f"REGION {run} 1", sort="raison_sociale")  # 1000 … 1999: its own cursors
    assert searched["total"] == 1000
    assert home(gateway, ars.tokens, q=f"REGION {run} 1", sort="raison_sociale", cursor=searched["last"])["items"][-1][
        "raison_sociale"] == f"ZZ REGION {run} 1999"
    for params, field, reason in (
            ({"cursor": "forgé"}, "cursor", "lien de page invalide"),
            ({"cursor": "WyJhIiwyLCJ6eiIsIjEyMyIsIjAwMDAwMDAwIl0"}, "cursor", "lien de page invalide"),  # FINESS "123"
            ({"cursor": first["next"], "sort": "-raison_sociale"}, "cursor", "lien de page donné pour un autre tri"),
            ({"cursor": first["next"], "sort": "raison_sociale", "q": "ZZ"}, "cursor", "lien de page donné pour"),
            ({"cursor": first["next"], "sort": "raison_sociale", "page": "2"}, "page", "page et cursor"),
            ({"sort": "couleur"}, "sort", "valeurs possibles"), ({"page": "0"}, "page", "un entier")):
        refused = httpx.get(api(gateway, "/ej"), params=params, headers=ars.headers)
        assert refused.status_code == 422, params
        error = refused.json()["error"]
        assert error["code"] == "validation_failed" and error["details"][field].startswith(reason), error


def test_an_ars_sees_the_ejs_its_region_s_ets_belong_to_now(gateway, stack):
    """The regions an EJ keeps follow its ETs: an ET moved to another EJ by an import takes its region along."""
    ars = user(stack, gateway, role="ars", region="Corse")
    first, second = new_finess("22"), new_finess("22")
    moving = new_finess("22")
    csv = [HEADER, f"EJ;{first};PREMIERE EJ {first};1 RUE A;;;;", f"EJ;{second};SECONDE EJ {second};2 RUE B;;;;",
           f"ET;{moving};ET MOBILE;1 COURS NAPOLEON;;{first};Corse;Médico-social"]
    answer = httpx.post(api(gateway, "/organisations/import"), headers={**ars.headers, "Content-Type": "text/csv"},
                        content=("\n".join(csv) + "\n").encode())
    assert answer.status_code == 200, answer.text
    seen = {e["finess"] for e in every_ej(gateway, ars.tokens)}
    assert first in seen and second not in seen
    moved = httpx.post(api(gateway, "/organisations/import"), headers={**ars.headers, "Content-Type": "text/csv"},
                       content=f"{HEADER}\nET;{moving};ET MOBILE;1 COURS NAPOLEON;;{second};Corse;Médico-social\n"
                       .encode())
    assert moved.status_code == 200, moved.text
    seen = {e["finess"] for e in every_ej(gateway, ars.tokens)}
    assert second in seen and first not in seen
    assert rows(stack, "SELECT finess, regions FROM cpom.ej WHERE finess IN (%s, %s) ORDER BY finess", first,
                second) == sorted([{"finess": first, "regions": []}, {"finess": second, "regions": ["Corse"]}],
                                  key=lambda r: r["finess"])
    # the region's kept count followed the ET's move (one EJ left Corse, one came in)
    assert rows(stack, "SELECT ej FROM cpom.region_counts WHERE region = 'Corse'") == rows(
        stack, "SELECT count(*) AS ej FROM cpom.ej WHERE regions @> ARRAY['Corse']")
    assert home(gateway, ars.tokens)["total"] == rows(stack, "SELECT ej FROM cpom.region_counts WHERE region = 'Corse'"
                                                      )[0]["ej"]
