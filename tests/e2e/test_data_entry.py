"""Entering data like on the best platforms (issue 18 items 1, 2, 5; docs/data-entry.md), through the API: an
indicator's draft kept as typed until « Enregistrer », last campaign's value and the « écart toléré » that asks
for a comment, the ARS's « À suivre » flags listed per campaign and in its exports. Bad input included."""

import csv
import io

import httpx
import pytest
from openpyxl import load_workbook

from tests.support.contracts import save
from tests.support.data_entry import make_entry_contract
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in


@pytest.fixture(scope="module")
def setup(gateway, stack):
    return make_entry_contract(gateway, stack)


def draft_url(gateway, setup, code="ACC01") -> str:
    return setup.url(gateway, f"/indicators/{code}/draft")


def flag_url(gateway, setup, code="ACC01") -> str:
    return setup.url(gateway, f"/indicators/{code}/flag")


def error_of(answer, status: int) -> dict:
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert set(error) == {"code", "message", "details"}
    return error


def test_a_draft_is_kept_as_typed_never_changes_the_dot_and_enregistrer_ends_it(gateway, stack, setup):
    member = bearer(setup.member)
    put = httpx.put(draft_url(gateway, setup), headers=member,
                    json={"answers": {"REALISE": "12,"}, "comment": "à voir"})
    assert put.status_code == 200, put.text
    assert put.json()["answers"] == {"REALISE": "12,"} and put.json()["base_version"] == 0  # not checked: a draft
    got = httpx.get(draft_url(gateway, setup), headers=member).json()
    assert got == put.json()
    indicator = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=member).json()
    assert indicator["draft"] == got and indicator["dot"] == "ROUGE" and indicator["version"] == 0
    assert httpx.get(setup.url(gateway), headers=member).json()["fill_percentage"] == 0
    # another person of the EJ has no draft here; the ARS sees none either
    assert httpx.get(draft_url(gateway, setup), headers=bearer(setup.ars)).status_code == 404

    assert save(gateway, setup, "ACC01", {"REALISE": 50}).status_code == 200
    assert httpx.get(draft_url(gateway, setup), headers=member).status_code == 404
    assert rows(stack, "SELECT count(*) AS n FROM contracts.indicator_drafts WHERE contract_id = %s",
                setup.contract_id) == [{"n": 0}]


def test_ignorer_deletes_the_draft_only(gateway, setup):
    member = bearer(setup.member)
    assert httpx.put(draft_url(gateway, setup, "SOI01"), headers=member,
                     json={"answers": {"REALISE": "non"}}).status_code == 200
    assert httpx.delete(draft_url(gateway, setup, "SOI01"), headers=member).status_code == 204
    assert error_of(httpx.get(draft_url(gateway, setup, "SOI01"), headers=member), 404)["code"] == "not_found"


def test_bad_drafts_are_refused_with_each_field_named(gateway, stack, setup):
    member = bearer(setup.member)
    url = draft_url(gateway, setup, "PAR01")
    error = error_of(httpx.put(url, headers=member, json={"answers": {"REALISE": "x" * 5001}}), 422)
    assert error["code"] == "validation_failed" and error["details"] == {"REALISE": "au plus 5000 caractères"}
    error = error_of(httpx.put(url, headers=member, json={"answers": {"AUTRE": "x", "REALISE": {"a": 1}}}), 422)
    assert set(error["details"]) == {"AUTRE", "REALISE"}
    assert error_of(httpx.put(url, headers=member, json={"answers": "x"}), 422)["details"] == {
        "answers": "objet attendu"}
    assert "comment" in error_of(httpx.put(url, headers=member, json={"comment": "x" * 5001}), 422)["details"]
    assert error_of(httpx.put(url, headers={**member, "Content-Type": "application/json"}, content=b"{"),
                    400)["code"] == "invalid_json"
    assert error_of(httpx.put(url, headers=bearer(setup.ars), json={"answers": {}}), 403)["code"] == "read_only"
    stranger, _ = active_user(stack)
    assert error_of(httpx.put(url, headers=bearer(sign_in(gateway, stranger)), json={"answers": {}}), 404)
    assert error_of(httpx.put(draft_url(gateway, setup, "NOPE"), headers=member, json={}), 404)
    assert rows(stack, "SELECT count(*) AS n FROM contracts.indicator_drafts WHERE contract_id = %s "
                "AND indicator_code = 'PAR01'", setup.contract_id) == [{"n": 0}]


def test_last_campaigns_value_is_beside_each_field_and_a_value_beyond_the_tolerance_asks_for_a_comment(gateway,
                                                                                                       setup):
    indicator = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.member)).json()
    assert indicator["previous"]["evaluated_year"] == 2022
    assert indicator["previous"]["values"] == {"REALISE": {"value": 48, "display": "48"}}
    assert indicator["questions"][0]["tolerance"] == 10
    soi = httpx.get(setup.url(gateway, "/indicators/SOI01"), headers=bearer(setup.member)).json()
    assert soi["previous"]["values"]["REALISE"] == {"value": True, "display": "Oui"}

    refused = save(gateway, setup, "ACC01", {"REALISE": "60"})
    assert error_of(refused, 422)["details"] == {"comment": "Un commentaire est obligatoire : « Réalisé » s'écarte de "
                                                            "plus de 10 % de la valeur de la campagne précédente (48)."}
    assert save(gateway, setup, "ACC01", {"REALISE": "60"}, comment="Ouverture d'une unité.").status_code == 200
    assert save(gateway, setup, "ACC01", {"REALISE": "52"}).status_code == 200  # within 10 %: no comment needed


def test_a_template_with_a_wrong_tolerance_is_refused(gateway, setup):
    answer = httpx.post(f"{gateway}/api/contracts/campaigns/template", headers=bearer(setup.ars), json={
        "indicators": [{"code": "A", "label": "A", "questions": [
            {"code": "Q", "label": "Q", "kind": "yes_no", "tolerance": 10}]}]})
    assert error_of(answer, 422)["details"]["errors"] == [
        {"where": "indicators[0].questions[0].tolerance",
         "message": "seulement pour une question de type number ou percentage"}]


def test_the_ars_flags_a_value_a_suivre_listed_on_the_campaign_and_in_its_exports(gateway, stack, setup):
    ars, member = bearer(setup.ars), bearer(setup.member)
    flagged = httpx.put(flag_url(gateway, setup), headers=ars, json={"note": "Écart avec 2022 à vérifier"})
    assert flagged.status_code == 200, flagged.text
    assert flagged.json()["note"] == "Écart avec 2022 à vérifier" and flagged.json()["flagged_by"] == setup.ars_email
    listed = httpx.get(f"{gateway}/api/contracts/campaigns/{setup.campaign_id}/flags", headers=ars).json()["items"]
    assert [(i["contract_id"], i["indicator_code"], i["indicator_label"], i["note"]) for i in listed] == [
        (setup.contract_id, "ACC01", "Nombre de personnes accompagnées", "Écart avec 2022 à vérifier")]
    assert httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=ars).json()["flag"]["note"] == (
        "Écart avec 2022 à vérifier")
    assert httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=member).json()["flag"] is None  # ARS's own

    csv_file = httpx.get(f"{gateway}/api/contracts/campaigns/{setup.campaign_id}/export", headers=ars,
                         params={"format": "csv"}, timeout=60)
    table = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    assert table[0][-1] == "À suivre"
    assert {row[table[0].index("Code indicateur")]: row[-1] for row in table[1:]} == {
        "ACC01": "Écart avec 2022 à vérifier", "SOI01": "", "PAR01": ""}
    xlsx = httpx.get(f"{gateway}/api/contracts/campaigns/{setup.campaign_id}/export", headers=ars,
                     params={"format": "xlsx", "shape": "wide"}, timeout=60)
    [head, row] = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert head[-1] == "À suivre" and row[-1] == "ACC01 : Écart avec 2022 à vérifier"

    assert httpx.delete(flag_url(gateway, setup), headers=ars).status_code == 204
    assert httpx.get(f"{gateway}/api/contracts/campaigns/{setup.campaign_id}/flags", headers=ars).json() == {
        "items": []}
    assert [r["new"] for r in rows(stack, "SELECT new FROM contracts.audit WHERE contract_id = %s AND field = 'flag' "
                                   "ORDER BY id", setup.contract_id)] == ["Écart avec 2022 à vérifier", None]


def test_bad_flags_are_refused(gateway, stack, setup):
    ars, member = bearer(setup.ars), bearer(setup.member)
    assert error_of(httpx.put(flag_url(gateway, setup), headers=ars, json={"note": "x" * 1001}), 422)["details"] == {
        "note": "au plus 1000 caractères"}
    assert error_of(httpx.put(flag_url(gateway, setup), headers=ars, json={"note": "  "}), 422)["details"] == {
        "note": "obligatoire"}
    assert error_of(httpx.put(flag_url(gateway, setup), headers=member, json={"note": "moi"}), 403)["code"] == (
        "forbidden")
    assert error_of(httpx.delete(flag_url(gateway, setup), headers=member), 403)
    assert error_of(httpx.get(f"{gateway}/api/contracts/campaigns/{setup.campaign_id}/flags", headers=member), 403)
    other_ars, _ = active_user(stack, role="ars", region="Normandie")
    assert error_of(httpx.put(flag_url(gateway, setup), headers=bearer(sign_in(gateway, other_ars)),
                              json={"note": "x"}), 404)
    assert error_of(httpx.put(flag_url(gateway, setup, "NOPE"), headers=ars, json={"note": "x"}), 404)
    assert rows(stack, "SELECT count(*) AS n FROM contracts.indicator_flags WHERE contract_id = %s",
                setup.contract_id) == [{"n": 0}]


def test_no_draft_for_a_closed_contract_and_closing_ends_the_drafts(gateway, stack, setup):
    member = bearer(setup.member)
    for code, answers in (("ACC01", {"REALISE": 50}), ("SOI01", {"REALISE": "oui"}), ("PAR01", {"REALISE": "x"})):
        assert save(gateway, setup, code, answers).status_code == 200
    assert httpx.put(draft_url(gateway, setup, "PAR01"), headers=member, json={"answers": {"REALISE": "y"}}
                     ).status_code == 200
    assert httpx.post(setup.url(gateway, "/close"), headers=member).status_code == 200
    assert rows(stack, "SELECT count(*) AS n FROM contracts.indicator_drafts WHERE contract_id = %s",
                setup.contract_id) == [{"n": 0}]
    error = error_of(httpx.put(draft_url(gateway, setup), headers=member, json={"answers": {"REALISE": "1"}}), 409)
    assert error["code"] == "contract_closed"
    # the ARS still flags a closed contract's value (its review)
    assert httpx.put(flag_url(gateway, setup), headers=bearer(setup.ars), json={"note": "Revue"}).status_code == 200
