"""A campaign with an entry calendar and contracts of EJs whose contacts may fill them, built through the API."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.conftest import unique
from tests.support.contracts import TEMPLATE, grant_ej, new_finess, wait_for_access
from tests.support.identity import active_user, bearer, sign_in


def paris_today() -> date:
    return datetime.now(ZoneInfo("Europe/Paris")).date()


def in_days(days: int) -> str:
    return (paris_today() + timedelta(days=days)).isoformat()


@dataclass
class Member:
    contract_id: str
    finess: str
    email: str
    tokens: dict


@dataclass
class CampaignSetup:
    campaign_id: str
    ars: dict
    ars_email: str
    region: str
    members: list[Member] = field(default_factory=list)

    def url(self, gateway: str, path: str = "") -> str:
        return f"{gateway}/api/contracts/campaigns/{self.campaign_id}{path}"


def make_campaign(gateway: str, stack, closes_on: str | None, contracts: int = 1, region: str = "Bretagne",
                  opens_on: str | None = None, template: dict = TEMPLATE, finess_prefix: str = "22") -> CampaignSetup:
    ars_email, _ = active_user(stack, role="ars", region=region)
    ars = sign_in(gateway, ars_email)
    answer = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(ars), json={
        "name": unique("Campagne"), "evaluated_year": 2024, "starts_on": "2025-01-15", "ends_on": "2025-06-30",
        "opens_on": opens_on, "closes_on": closes_on, "region": region, "template": template})
    assert answer.status_code == 201, answer.text
    setup = CampaignSetup(answer.json()["id"], ars, ars_email, region)
    for _ in range(contracts):
        add_contract(gateway, stack, setup, finess_prefix)
    return setup


def add_contract(gateway: str, stack, setup: CampaignSetup, finess_prefix: str = "22") -> Member:
    finess = finess_prefix + new_finess()[2:]
    answer = httpx.post(setup.url(gateway, "/contracts"), headers=bearer(setup.ars), json={
        "name": f"Auto-évaluation 2024 - EJ {finess}", "ej_finess": finess, "ej_raison_sociale": f"EJ {finess}",
        "referent_email": setup.ars_email})
    assert answer.status_code == 201, answer.text
    email, _ = active_user(stack)
    grant_ej(gateway, setup.ars, finess, email)
    tokens = sign_in(gateway, email)
    wait_for_access(gateway, tokens, answer.json()["id"])
    member = Member(answer.json()["id"], finess, email, tokens)
    setup.members.append(member)
    return member


def contract(gateway: str, tokens: dict, contract_id: str) -> dict:
    answer = httpx.get(f"{gateway}/api/contracts/contracts/{contract_id}", headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    return answer.json()
