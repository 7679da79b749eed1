"""Restricted (grey) indicators as a real EJ lives them (guide 000): the demo contract's two restricted
indicators are held by a seeded collaborator who can fill them; the EJ's Administrateur sees who holds each one
and reassigns it (audited, announced); « Clore la saisie » names grey indicators as grey, with who must fill them."""

import httpx
import pytest

from ecars_common import demo
from services.auth.seed import DEMO_PASSWORD
from services.contracts.seed import CONTRACT_ID
from tests.support.contracts import GOOD_ANSWERS, make_contract, save, wait_for_access
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in


def view(gateway: str, setup, tokens: dict) -> dict:
    answer = httpx.get(setup.url(gateway), headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    return answer.json()


def by_code(contract: dict) -> dict:
    return {item["code"]: item for item in contract["indicators"]}


def grant(gateway: str, ars: dict, finess: str, email: str, administrateur: bool) -> None:
    answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(ars), json={
        "scope_type": "ej", "scope_id": finess, "civilite": "M.", "nom": "COLLABORATEUR", "prenom": "Jean",
        "fonction": "Comptable", "email": email, "administrateur": administrateur})
    assert answer.status_code == 201, answer.text


@pytest.fixture()
def ej(gateway, stack):
    """A contract whose SOI01 the ARS restricted to a collaborator (the finance officer) of the EJ, and the EJ's
    Administrateur (tokens and email), who is not that collaborator."""
    setup = make_contract(gateway, stack)
    admin_email, _ = active_user(stack)
    grant(gateway, setup.ars, setup.finess, admin_email, administrateur=True)
    admin = sign_in(gateway, admin_email)
    wait_for_access(gateway, admin, setup.contract_id)
    [holder] = rows(stack, "SELECT id FROM auth.users WHERE email = %s", setup.member_email)
    answer = httpx.put(setup.url(gateway, "/restrictions/SOI01"), headers=bearer(setup.ars),
                       json={"user_ids": [str(holder["id"])], "roles": [], "hidden": False})
    assert answer.status_code == 200, answer.text
    return setup, admin, admin_email


def test_the_demo_contracts_restricted_indicators_are_held_by_the_seeded_finance_officer(gateway):
    finances = sign_in(gateway, demo.FINANCE_OFFICER_EMAIL, DEMO_PASSWORD)
    answer = httpx.get(f"{gateway}/api/contracts/contracts/{CONTRACT_ID}", headers=bearer(finances))
    assert answer.status_code == 200, answer.text
    items = by_code(answer.json())
    for code in ("PIL04", "PIL09"):
        assert items[code]["restricted"] and items[code]["holders"] == [demo.FINANCE_OFFICER_EMAIL]
        assert items[code]["dot"] != "GRISE"  # theirs to fill (red, or green once the guide-000 walk filled it)
    assert not answer.json()["can_reassign"]  # a collaborator, not the EJ's Administrateur
    indicator = httpx.get(f"{gateway}/api/contracts/contracts/{CONTRACT_ID}/indicators/PIL04", headers=bearer(finances))
    assert indicator.json()["editable"] is (answer.json()["status"] == "AUTO-EVALUATION")


def test_closing_names_grey_indicators_as_grey_with_who_fills_them_and_red_ones_as_red(gateway, ej):
    setup, admin, _ = ej
    for code, answers in GOOD_ANSWERS.items():
        if code not in ("SOI01", "PIL02"):
            assert save(gateway, setup, code, answers, tokens=admin).status_code == 200, code
    refused = httpx.post(setup.url(gateway, "/close"), headers=bearer(admin))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "incomplete"
    assert "1 indicateur(s) à renseigner (pastille rouge)" in error["message"]
    assert f"1 indicateur(s) en pastille grise, non accessible(s) à votre compte, à renseigner par " \
           f"{setup.member_email}" in error["message"]
    assert [m["indicator"] for m in error["details"]["missing"]] == ["PIL02"]
    assert [(g["indicator"], g["holders"]) for g in error["details"]["grey"]] == [("SOI01", [setup.member_email])]

    assert save(gateway, setup, "PIL02", GOOD_ANSWERS["PIL02"], tokens=admin).status_code == 200
    only_grey = httpx.post(setup.url(gateway, "/close"), headers=bearer(admin)).json()["error"]["message"]
    assert "pastille grise" in only_grey and "pastille rouge" not in only_grey


def test_the_administrateur_sees_who_holds_a_grey_indicator_and_reassigns_it_then_closes(gateway, stack, ej):
    setup, admin, admin_email = ej
    contract = view(gateway, setup, admin)
    assert by_code(contract)["SOI01"]["dot"] == "GRISE"
    assert by_code(contract)["SOI01"]["holders"] == [setup.member_email]
    assert contract["can_reassign"] is True
    people = {p["email"]: p["user_id"] for p in contract["collaborators"]}
    assert set(people) == {admin_email, setup.member_email}
    assert view(gateway, setup, setup.member)["can_reassign"] is False  # not an Administrateur

    url = setup.url(gateway, "/restrictions/SOI01/holders")
    answer = httpx.put(url, headers=bearer(admin), json={"user_ids": [people[admin_email]]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["holders"] == [admin_email]
    assert by_code(view(gateway, setup, admin))["SOI01"]["dot"] == "ROUGE"  # hers to fill now
    assert by_code(view(gateway, setup, setup.member))["SOI01"]["dot"] == "GRISE"
    [row] = rows(stack, "SELECT old, new, by_email FROM contracts.audit WHERE contract_id = %s AND field = 'holders'",
                 setup.contract_id)
    assert (row["old"], row["new"], row["by_email"]) == ([setup.member_email], [admin_email], admin_email)
    [event] = rows(stack, "SELECT envelope FROM contracts.outbox WHERE type = 'contracts.indicator.reassigned' "
                          "AND envelope->'data'->>'contract_id' = %s", setup.contract_id)
    assert event["envelope"]["data"]["user_ids"] == [people[admin_email]]

    for code, answers in GOOD_ANSWERS.items():
        assert save(gateway, setup, code, answers, tokens=admin).status_code == 200, code
    assert httpx.post(setup.url(gateway, "/close"), headers=bearer(admin)).status_code == 200
    closed = httpx.put(url, headers=bearer(admin), json={"user_ids": [people[setup.member_email]]})
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "contract_closed"


def test_reassigning_is_refused_to_others_and_for_bad_choices(gateway, stack, ej):
    setup, admin, admin_email = ej
    people = {p["email"]: p["user_id"] for p in view(gateway, setup, admin)["collaborators"]}
    stranger_email, stranger_id = active_user(stack)
    url = setup.url(gateway, "/restrictions/SOI01/holders")
    cases = [
        (setup.member, {"user_ids": [people[setup.member_email]]}, 403, "not_administrateur"),
        (setup.ars, {"user_ids": [people[admin_email]]}, 403, "not_administrateur"),
        (admin, {"user_ids": [stranger_id]}, 422, "validation_failed"),  # not a collaborator of the EJ
        (admin, {"user_ids": []}, 422, "validation_failed"),
        (admin, {"user_ids": "x"}, 422, "validation_failed"),
        (admin, {}, 422, "validation_failed"),
    ]
    for tokens, body, status, code in cases:
        answer = httpx.put(url, headers=bearer(tokens), json=body)
        assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), body
        if status == 422:
            assert "user_ids" in answer.json()["error"]["details"]
    unrestricted = httpx.put(setup.url(gateway, "/restrictions/ACC01/holders"), headers=bearer(admin),
                             json={"user_ids": [people[admin_email]]})
    assert unrestricted.status_code == 404 and unrestricted.json()["error"]["code"] == "not_restricted"
    assert by_code(view(gateway, setup, admin))["SOI01"]["holders"] == [setup.member_email]  # nothing changed
    assert rows(stack, "SELECT count(*) AS n FROM contracts.audit WHERE contract_id = %s AND field = 'holders'",
                setup.contract_id) == [{"n": 0}]
