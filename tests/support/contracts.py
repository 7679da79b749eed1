"""A campaign, a contract and an establishment user who may fill it, built through the API."""

import time
from dataclasses import dataclass

import httpx

from tests.conftest import unique
from tests.support.identity import active_user, bearer, sign_in

TEMPLATE = {"indicators": [
    {"code": "ACC01", "label": "Nombre de personnes accompagnées", "category": "Accompagnement",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "number", "min": 0, "max": 10000}]},
    {"code": "ACC02", "label": "Taux d'occupation", "category": "Accompagnement",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "percentage", "expected_min": 80}]},
    {"code": "SOI01", "label": "Convention soins palliatifs", "category": "Soins",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "yes_no"}]},
    {"code": "PAR01", "label": "Date de la dernière évaluation", "category": "Parcours",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "date"},
                   {"code": "NOTE", "label": "Précisions", "kind": "text", "required": False}]},
    {"code": "PIL01", "label": "Démarche qualité", "category": "Pilotage interne",
     "questions": [{"code": "REALISE", "label": "Réalisé", "kind": "choice",
                    "choices": ["Non engagée", "En cours", "Aboutie"]}]},
    {"code": "PIL02", "label": "Personnel formé", "category": "Pilotage interne",
     "questions": [{"code": "FORMES", "label": "Agents formés", "kind": "number", "min": 0},
                   {"code": "EFFECTIF", "label": "Effectif total", "kind": "number", "min": 0}],
     "rules": [{"type": "lte", "left": "FORMES", "right": "EFFECTIF"}]},
]}

GOOD_ANSWERS = {"ACC01": {"REALISE": 42}, "ACC02": {"REALISE": "92,5"}, "SOI01": {"REALISE": "oui"},
                "PAR01": {"REALISE": "15/03/2023"}, "PIL01": {"REALISE": "En cours"},
                "PIL02": {"FORMES": 10, "EFFECTIF": 25}}


@dataclass
class ContractSetup:
    contract_id: str
    campaign_id: str
    finess: str
    ars: dict  # tokens
    member: dict  # tokens of an establishment user of the EJ
    member_email: str
    ars_email: str

    def url(self, gateway: str, path: str = "") -> str:
        return f"{gateway}/api/contracts/contracts/{self.contract_id}{path}"


def new_finess() -> str:
    return "22" + unique("")[-7:].translate(str.maketrans("abcdef", "123456"))


def wait_for_access(gateway: str, tokens: dict, contract_id: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{gateway}/api/contracts/contracts/{contract_id}", headers=bearer(tokens)).status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError("the contracts service never learnt of the habilitation")


def wait_for_referential(gateway: str, tokens: dict, finess: str, timeout: float = 15) -> None:
    """Until the EJ referential (cpom, the home list's source) shows the EJ to the user: it learns of a
    contract and of a habilitation by events."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{gateway}/api/cpom/ej/{finess}", headers=bearer(tokens)).status_code == 200:
            return
        time.sleep(0.1)
    raise AssertionError("the EJ referential never learnt of the contract or of the habilitation")


def grant_ej(gateway: str, ars_tokens: dict, finess: str, email: str) -> None:
    answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(ars_tokens), json={
        "scope_type": "ej", "scope_id": finess, "civilite": "Mme", "nom": "MEMBRE", "prenom": "Eve",
        "fonction": "Directrice", "email": email})
    assert answer.status_code == 201, answer.text


def make_contract(gateway: str, stack, template: dict = TEMPLATE, region: str = "Bretagne") -> ContractSetup:
    ars_email, _ = active_user(stack, role="ars", region=region)
    ars = sign_in(gateway, ars_email)
    campaign = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(ars), json={
        "name": unique("Campagne"), "evaluated_year": 2023, "starts_on": "2024-01-15", "ends_on": "2024-06-30",
        "region": region, "template": template})
    assert campaign.status_code == 201, campaign.text
    finess = new_finess()
    contract = httpx.post(f"{gateway}/api/contracts/campaigns/{campaign.json()['id']}/contracts",
                          headers=bearer(ars), json={
                              "name": f"Auto-évaluation 2023 - EJ {finess}", "ej_finess": finess,
                              "ej_raison_sociale": f"EJ {finess}", "ej_adresse": "1 rue de la Paix 35000 RENNES",
                              "ej_telephone": "0299000000", "referent_email": ars_email})
    assert contract.status_code == 201, contract.text
    member_email, _ = active_user(stack)
    grant_ej(gateway, ars, finess, member_email)
    member = sign_in(gateway, member_email)
    wait_for_access(gateway, member, contract.json()["id"])
    wait_for_referential(gateway, member, finess)
    return ContractSetup(contract.json()["id"], campaign.json()["id"], finess, ars, member, member_email, ars_email)


def save(gateway: str, setup: ContractSetup, code: str, answers: dict, comment: str = "",
         tokens: dict | None = None, version: int | None = None) -> httpx.Response:
    tokens = tokens or setup.member
    if version is None:
        version = httpx.get(setup.url(gateway, f"/indicators/{code}"), headers=bearer(tokens)).json()["version"]
    return httpx.put(setup.url(gateway, f"/indicators/{code}"), headers=bearer(tokens),
                     json={"version": version, "answers": answers, "comment": comment})
