"""A contract of 2023 whose EJ has a contract of the previous campaign (2022) with saved answers, for the helps to
entering data (issue 18): last campaign's values, the « écart toléré », drafts and « À suivre »."""

import httpx

from tests.support.contracts import ContractSetup, make_contract, save, wait_for_access
from tests.support.identity import bearer

TEMPLATE = {"indicators": [
    {"code": "ACC01", "label": "Nombre de personnes accompagnées", "category": "Accompagnement",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "number", "min": 0, "tolerance": 10}]},
    {"code": "SOI01", "label": "Convention soins palliatifs", "category": "Soins",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "yes_no"}]},
    {"code": "PAR01", "label": "Actions d'inclusion", "category": "Parcours",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "text"}]},
]}
PREVIOUS = {"ACC01": {"REALISE": 48}, "SOI01": {"REALISE": "oui"},
            "PAR01": {"REALISE": "Ateliers avec la commune."}}


def make_entry_contract(gateway: str, stack) -> ContractSetup:
    """The 2023 contract (make_contract), and the same EJ's 2022 contract with PREVIOUS saved in it."""
    setup = make_contract(gateway, stack, template=TEMPLATE)
    campaign = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(setup.ars), json={
        "name": f"Campagne 2022 {setup.finess}", "evaluated_year": 2022, "starts_on": "2023-01-16",
        "ends_on": "2023-06-30", "region": "Bretagne", "template": TEMPLATE})
    assert campaign.status_code == 201, campaign.text
    contract = httpx.post(f"{gateway}/api/contracts/campaigns/{campaign.json()['id']}/contracts",
                          headers=bearer(setup.ars), json={
                              "name": f"Auto-évaluation 2022 - EJ {setup.finess}", "ej_finess": setup.finess,
                              "ej_raison_sociale": f"EJ {setup.finess}"})
    assert contract.status_code == 201, contract.text
    wait_for_access(gateway, setup.member, contract.json()["id"])
    previous = ContractSetup(contract.json()["id"], campaign.json()["id"], setup.finess, setup.ars, setup.member,
                             setup.member_email, setup.ars_email)
    for code, answers in PREVIOUS.items():
        saved = save(gateway, previous, code, answers)
        assert saved.status_code == 200, saved.text
    return setup
