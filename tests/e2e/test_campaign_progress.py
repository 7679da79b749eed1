"""The campaign's progress table (« Suivi des contrats ») through the gateway: paged, sorted and filtered by the
contracts service (status, fill-rate range, département, search by name or FINESS), totals counted there, and the
fill rate each contract keeps from its saves equal to what its own form shows."""

import threading

import httpx
import pytest

from ecars_common import keyset
from services.contracts import progress
from tests.conftest import unique
from tests.support.contracts import GOOD_ANSWERS, TEMPLATE, grant_ej, new_finess, wait_for_access
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in

REQUIRED = 7  # required questions of TEMPLATE


class Campaign:
    def __init__(self, gateway, stack, region="Bretagne"):
        self.gateway, self.stack = gateway, stack
        self.ars_email, _ = active_user(stack, role="ars", region=region)
        self.ars = sign_in(gateway, self.ars_email)
        answer = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(self.ars), json={
            "name": unique("Campagne"), "evaluated_year": 2023, "starts_on": "2024-01-15", "ends_on": "2024-06-30",
            "region": region, "template": TEMPLATE})
        assert answer.status_code == 201, answer.text
        self.id = answer.json()["id"]
        self.member_email, _ = active_user(stack)
        self.member = sign_in(gateway, self.member_email)

    def contract(self, finess: str, raison_sociale: str, member: bool = False) -> str:
        answer = httpx.post(f"{self.gateway}/api/contracts/campaigns/{self.id}/contracts", headers=bearer(self.ars),
                            json={"name": f"Auto-évaluation 2023 - {raison_sociale}", "ej_finess": finess,
                                  "ej_raison_sociale": raison_sociale})
        assert answer.status_code == 201, answer.text
        contract_id = answer.json()["id"]
        if member:
            grant_ej(self.gateway, self.ars, finess, self.member_email)
            wait_for_access(self.gateway, self.member, contract_id)
        return contract_id

    def url(self, contract_id: str, path: str = "") -> str:
        return f"{self.gateway}/api/contracts/contracts/{contract_id}{path}"

    def save(self, contract_id: str, code: str, answers: dict, comment: str = "Selon le rapport") -> None:
        version = httpx.get(self.url(contract_id, f"/indicators/{code}"), headers=bearer(self.member)).json()["version"]
        answer = httpx.put(self.url(contract_id, f"/indicators/{code}"), headers=bearer(self.member),
                           json={"version": version, "answers": answers, "comment": comment})
        assert answer.status_code == 200, answer.text

    def progress(self, tokens=None, **params) -> httpx.Response:
        return httpx.get(f"{self.gateway}/api/contracts/campaigns/{self.id}/progress", params=params,
                         headers=bearer(tokens or self.ars))

    def listed(self, **params) -> dict:
        answer = self.progress(**params)
        assert answer.status_code == 200, answer.text
        return answer.json()


def finess_in(departement: str) -> str:
    return departement + new_finess()[2:]


@pytest.fixture(scope="module")
def campaign(gateway, stack):
    """23 contracts: 19 untouched, one partly filled (3 of 7), two complete and closed (one accepted), and one
    filled then emptied again; names in mixed case; four EJs in Ille-et-Vilaine (35), the others in 22."""
    campaign = Campaign(gateway, stack)
    campaign.ids = {}
    for i in range(23):
        departement = "35" if i % 6 == 0 else "22"
        name = (f"ej {i:02d} rennes" if i % 2 else f"EJ {i:02d} SAINT-BRIEUC")
        campaign.ids[i] = campaign.contract(finess_in(departement), name, member=i in (3, 4, 5, 6))
    partial, closed, accepted, emptied = (campaign.ids[i] for i in (3, 4, 5, 6))
    for code in ("ACC01", "SOI01", "PIL01"):
        campaign.save(partial, code, GOOD_ANSWERS[code])
    for contract_id in (closed, accepted):
        for code, answers in GOOD_ANSWERS.items():
            campaign.save(contract_id, code, answers)
        assert httpx.post(campaign.url(contract_id, "/close"), headers=bearer(campaign.member)).status_code == 200
    assert httpx.post(campaign.url(accepted, "/accept"), headers=bearer(campaign.ars)).status_code == 200
    campaign.save(emptied, "PIL02", {"FORMES": 3, "EFFECTIF": 9})
    campaign.save(emptied, "PIL02", {"FORMES": "", "EFFECTIF": 9})  # one of its two answers taken back
    return campaign


def test_the_progress_table_is_paged_and_sorted_by_the_service(campaign):
    first = campaign.listed()
    assert (first["page"], first["pages"], first["total"], first["per_page"]) == (1, 2, 23, 20)
    assert len(first["contracts"]) == 20
    second = campaign.listed(page=2)
    names = [c["ej_raison_sociale"] for c in first["contracts"] + second["contracts"]]
    assert names == sorted(names, key=str.lower) and len(set(names)) == 23  # case does not split the order
    assert campaign.listed(page=3)["contracts"] == []
    by_fill = campaign.listed(sort="-fill_percentage")["contracts"]
    assert [c["fill_percentage"] for c in by_fill[:4]] == [100, 100, 100 * 3 // REQUIRED, 100 * 1 // REQUIRED]
    assert {c["id"] for c in by_fill[:2]} == {campaign.ids[4], campaign.ids[5]}
    by_finess = campaign.listed(sort="ej_finess")["contracts"]
    assert [c["ej_finess"] for c in by_finess] == sorted(c["ej_finess"] for c in by_finess)
    assert campaign.listed(sort="-ej_finess")["contracts"][0]["ej_finess"] > by_finess[-1]["ej_finess"]
    assert campaign.listed(sort="departement")["contracts"][-1]["ej_departement"] == "35"


def test_the_progress_table_filters_and_counts_in_the_service(campaign):
    everything = campaign.listed()["totals"]
    assert everything == {"contracts": 23, "by_status": {"AUTO-EVALUATION": 21, "CONSULTATION": 2, "ACCEPTE": 1},
                          "complete": 2, "average_fill": round((200 + 100 * 3 // REQUIRED + 100 // REQUIRED) / 23)}
    closed = campaign.listed(status="CONSULTATION")
    assert {c["id"] for c in closed["contracts"]} == {campaign.ids[4], campaign.ids[5]} and closed["total"] == 2
    accepted = campaign.listed(status="ACCEPTE")["contracts"]
    assert [(c["id"], c["review"]) for c in accepted] == [(campaign.ids[5], "ACCEPTE")]
    assert campaign.listed(status="AUTO-EVALUATION")["totals"]["by_status"] == {
        "AUTO-EVALUATION": 21, "CONSULTATION": 0, "ACCEPTE": 0}
    middle = campaign.listed(fill_min=1, fill_max=99)
    assert {c["id"] for c in middle["contracts"]} == {campaign.ids[3], campaign.ids[6]}
    assert campaign.listed(fill_min=100)["total"] == 2 and campaign.listed(fill_max=0)["total"] == 19
    in_35 = campaign.listed(departement="35")
    assert {c["id"] for c in in_35["contracts"]} == {campaign.ids[i] for i in (0, 6, 12, 18)}
    assert {c["ej_departement"] for c in in_35["contracts"]} == {"35"}
    by_name = campaign.listed(search="RENNES")  # any case
    assert by_name["total"] == 11 and all("rennes" in c["ej_raison_sociale"] for c in by_name["contracts"])
    finess = campaign.listed(sort="ej_finess")["contracts"][7]["ej_finess"]
    assert [c["ej_finess"] for c in campaign.listed(search=finess)["contracts"]] == [finess]
    assert campaign.listed(search="100%")["total"] == 0  # the user's % is a character, not a wildcard
    combined = campaign.listed(departement="35", search="saint", sort="-ej_raison_sociale")
    assert [c["ej_raison_sociale"] for c in combined["contracts"]] == [
        "EJ 18 SAINT-BRIEUC", "EJ 12 SAINT-BRIEUC", "EJ 06 SAINT-BRIEUC", "EJ 00 SAINT-BRIEUC"]
    assert combined["filters"] == {"status": None, "fill_min": None, "fill_max": None, "departement": "35",
                                   "search": "saint"}


@pytest.mark.parametrize("params, field", [
    ({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"sort": "couleur"}, "sort"), ({"status": "CLOS"}, "status"),
    ({"fill_min": "101"}, "fill_min"), ({"fill_max": "-1"}, "fill_max"), ({"fill_min": "60", "fill_max": "40"},
                                                                          "fill_max"),
    ({"departement": "ABC"}, "departement"), ({"search": "x" * 101}, "search"),
])
def test_bad_criteria_are_named(campaign, params, field):
    answer = campaign.progress(**params)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_failed" and field in error["details"]


def test_only_the_campaigns_ars_sees_its_progress(gateway, stack, campaign):
    elsewhere = sign_in(gateway, active_user(stack, role="ars", region="Normandie")[0])
    assert campaign.progress(elsewhere).status_code == 404
    assert campaign.progress(campaign.member).status_code == 403
    assert httpx.get(f"{gateway}/api/contracts/campaigns/{campaign.id}/progress").status_code == 401


def stored(stack, contract_id: str) -> dict:
    return rows(stack, "SELECT required_questions, filled_questions, fill_percentage FROM contracts.contracts "
                       "WHERE id = %s", contract_id)[0]


def test_the_fill_rate_kept_by_each_save_is_the_one_the_form_shows(gateway, stack):
    campaign = Campaign(gateway, stack)
    contract_id = campaign.contract(new_finess(), "EJ REMPLISSAGE", member=True)

    def agree() -> int:
        view = httpx.get(campaign.url(contract_id), headers=bearer(campaign.member)).json()["fill_percentage"]
        listed = campaign.listed(search="EJ REMPLISSAGE")["contracts"]
        assert [c["fill_percentage"] for c in listed] == [view]
        return view

    assert stored(stack, contract_id) == {"required_questions": REQUIRED, "filled_questions": 0,
                                          "fill_percentage": 0}
    campaign.save(contract_id, "PIL02", {"FORMES": 10, "EFFECTIF": 25})
    assert agree() == 100 * 2 // REQUIRED
    campaign.save(contract_id, "PIL02", {"FORMES": 12, "EFFECTIF": 25})  # changed, still both answered
    assert agree() == 100 * 2 // REQUIRED
    campaign.save(contract_id, "PAR01", {"REALISE": "15/03/2023", "NOTE": "optionnelle"})  # NOTE is not required
    assert agree() == 100 * 3 // REQUIRED
    campaign.save(contract_id, "PIL02", {"FORMES": None, "EFFECTIF": ""})  # both taken back
    assert agree() == 100 * 1 // REQUIRED
    refused = httpx.put(campaign.url(contract_id, "/indicators/ACC01"), headers=bearer(campaign.member),
                        json={"version": 0, "answers": {"REALISE": "douze"}, "comment": ""})
    assert refused.status_code == 422 and stored(stack, contract_id)["filled_questions"] == 1

    # saves of different indicators at once: each adds its own difference under the contract's row lock
    codes = [code for code in GOOD_ANSWERS if code not in ("PAR01",)]
    failures = []

    def fill(code: str) -> None:
        try:
            campaign.save(contract_id, code, GOOD_ANSWERS[code])
        except AssertionError as error:  # reported below: an assertion in a thread would be lost
            failures.append(error)

    threads = [threading.Thread(target=fill, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert agree() == 100 and stored(stack, contract_id)["filled_questions"] == REQUIRED


def walk(campaign, **params) -> list[dict]:
    """Every page by « page suivante » (the `next` cursor), from the first."""
    listing = campaign.listed(**params)
    found = listing["contracts"]
    while listing["next"]:
        listing = campaign.listed(cursor=listing["next"], **params)
        found += listing["contracts"]
    return found


@pytest.mark.parametrize("sort", ["ej_raison_sociale", "-ej_raison_sociale", "name", "ej_finess", "-departement",
                                  "status", "-status", "fill_percentage", "-fill_percentage"])
def test_page_after_page_by_cursor_reaches_each_contract_once_in_the_numbered_order(campaign, sort):
    """The sort's ties (21 contracts AUTO-EVALUATION, 19 at 0 %) are broken by the id: no row is lost or shown
    twice where a page ends inside a tie."""
    numbered = campaign.listed(sort=sort)["contracts"] + campaign.listed(sort=sort, page=2)["contracts"]
    walked = walk(campaign, sort=sort)
    assert [c["id"] for c in walked] == [c["id"] for c in numbered]
    assert {c["id"] for c in walked} == set(campaign.ids.values())


def test_previous_and_last_pages_by_cursor_and_the_filters_kept(campaign):
    first = campaign.listed(sort="-fill_percentage")
    assert (first["page"], first["previous"]) == (1, None) and first["next"] and first["last"]
    second = campaign.listed(sort="-fill_percentage", cursor=first["next"])
    assert (second["page"], second["pages"], second["next"], second["last"]) == (2, 2, None, None)
    assert len(second["contracts"]) == 3
    back = campaign.listed(sort="-fill_percentage", cursor=second["previous"])
    assert back["contracts"] == first["contracts"] and back["page"] == 1 and back["previous"] is None
    last = campaign.listed(sort="-fill_percentage", cursor=first["last"])
    assert last["contracts"] == second["contracts"] and last["page"] == 2
    in_22 = walk(campaign, departement="22", sort="name")  # 19 contracts: one page, its filter kept
    assert len(in_22) == 19 and {c["ej_departement"] for c in in_22} == {"22"}
    open_ones = campaign.listed(status="AUTO-EVALUATION", sort="-fill_percentage")  # 21: two pages
    rest = campaign.listed(status="AUTO-EVALUATION", sort="-fill_percentage", cursor=open_ones["next"])
    assert [c["status"] for c in open_ones["contracts"] + rest["contracts"]] == ["AUTO-EVALUATION"] * 21
    assert rest["totals"]["contracts"] == 21 and rest["page"] == 2


def test_the_kept_totals_are_the_counted_ones(stack, campaign):
    """What the trigger kept through the creations, saves, closings, acceptance and an answer taken back (migration
    0008) is what counting the campaign's contracts gives."""
    kept = campaign.listed()["totals"]
    counted = rows(stack, "SELECT count(*) AS contracts, count(*) FILTER (WHERE fill_percentage = 100) AS complete, "
                          "round(avg(fill_percentage)) AS average_fill FROM contracts.contracts "
                          "WHERE campaign_id = %s", campaign.id)[0]
    assert (kept["contracts"], kept["complete"], kept["average_fill"]) == (
        counted["contracts"], counted["complete"], int(counted["average_fill"]))
    assert rows(stack, "SELECT count(*) AS slots FROM contracts.campaign_totals WHERE campaign_id = %s",
                campaign.id)[0]["slots"] > 1  # spread over slots: saves at once do not wait for one row


@pytest.mark.parametrize("params, field, reason", [
    ({"cursor": "n'importe quoi"}, "cursor", "lien de page invalide"),
    ({"cursor": "W10"}, "cursor", "lien de page invalide"),  # [] in base64url
    ({"cursor": "x" * 1001}, "cursor", "lien de page invalide"),
    ({"cursor": "FORGED-ID", "sort": "name"}, "cursor", "lien de page invalide"),
    ({"cursor": "OTHER-SORT", "sort": "name"}, "cursor", "lien de page donné pour un autre tri"),
    ({"cursor": "OTHER-FILTER", "status": "CONSULTATION"}, "cursor", "lien de page donné pour un autre tri"),
    ({"cursor": "NEXT", "page": "2"}, "page", "page et cursor ne se combinent pas"),
    ({"page": "²"}, "page", "un entier"), ({"sort": "-"}, "sort", "valeurs possibles"),
])
def test_a_forged_or_foreign_cursor_is_refused(campaign, params, field, reason):
    first = campaign.listed()
    given = {"NEXT": first["next"], "OTHER-SORT": first["next"], "OTHER-FILTER": first["next"],
             "FORGED-ID": keyset.encode(keyset.Cursor(keyset.AFTER, 2, "ej", "not-an-id"),
                                        progress.Query(sort="name").bound_to())}
    params = {name: given.get(value, value) for name, value in params.items()}
    answer = campaign.progress(**params)
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "validation_failed" and error["details"][field].startswith(reason)
