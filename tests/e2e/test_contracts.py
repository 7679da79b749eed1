"""Self-evaluation contracts through the gateway (guide 000 §2–6)."""

import threading

import httpx
import pytest

from tests.support.contracts import GOOD_ANSWERS, TEMPLATE, make_contract, save
from tests.support.db import rows
from tests.support.identity import active_user, bearer, sign_in


@pytest.fixture
def setup(gateway, stack):
    return make_contract(gateway, stack)


def view(gateway, setup, tokens=None):
    answer = httpx.get(setup.url(gateway), headers=bearer(tokens or setup.member))
    assert answer.status_code == 200, answer.text
    return answer.json()


def dots(contract):
    return {i["code"]: i["dot"] for i in contract["indicators"]}


def test_the_establishment_finds_its_ej_and_contract(gateway, setup):
    ejs = httpx.get(f"{gateway}/api/contracts/ej", headers=bearer(setup.member)).json()
    assert [(e["ej_finess"], e["ej_raison_sociale"]) for e in ejs["items"]] == [(setup.finess, f"EJ {setup.finess}")]
    assert (ejs["page"], ejs["pages"]) == (1, 1)
    listed = httpx.get(f"{gateway}/api/contracts/ej/{setup.finess}/contracts", headers=bearer(setup.member)).json()
    assert [c["id"] for c in listed["items"]] == [setup.contract_id]
    contract = view(gateway, setup)
    assert contract["status"] == "AUTO-EVALUATION" and contract["fill_percentage"] == 0 and contract["editable"]
    assert set(dots(contract).values()) == {"ROUGE"}


def test_saving_turns_the_dot_green_and_raises_the_percentage(gateway, setup, stack):
    saved = save(gateway, setup, "ACC01", {"REALISE": "42"}, comment="Chiffre du rapport d'activité")
    assert saved.status_code == 200, saved.text
    assert saved.json()["dot"] == "VERTE"
    contract = view(gateway, setup)
    assert dots(contract)["ACC01"] == "VERTE"
    assert contract["fill_percentage"] == 100 * 1 // 7  # 7 required questions in the template
    indicator = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.member)).json()
    assert indicator["questions"][0]["value"] == 42 and indicator["comment"] == "Chiffre du rapport d'activité"
    assert indicator["comment_label"] == "Commentaire évalué 2023"
    assert [(a["field"], a["old"], a["new"], a["by"]) for a in indicator["audit"]] == [
        ("comment", "", "Chiffre du rapport d'activité", setup.member_email), ("REALISE", None, 42, setup.member_email)]
    assert rows(stack, "SELECT count(*) AS n FROM contracts.outbox WHERE type = 'contracts.indicator.saved' "
                       "AND envelope->'data'->>'contract_id' = %s", setup.contract_id)[0]["n"] == 1


@pytest.mark.parametrize("code, answers, comment, field, words", [
    ("ACC01", {"REALISE": "douze"}, "", "REALISE", "nombre"),
    ("ACC01", {"REALISE": -1}, "", "REALISE", "au moins 0"),
    ("ACC01", {"REALISE": 10001}, "", "REALISE", "au plus 10\u202f000"),
    ("ACC02", {"REALISE": 120}, "", "REALISE", "au plus 100"),
    ("ACC02", {"REALISE": 50}, "", "comment", "hors de la plage attendue"),
    ("SOI01", {"REALISE": "peut-être"}, "", "REALISE", "oui ou non"),
    ("PAR01", {"REALISE": "31/02/2023"}, "", "REALISE", "date"),
    ("PIL01", {"REALISE": "Terminée"}, "", "REALISE", "choisissez parmi"),
    ("PIL02", {"FORMES": 30, "EFFECTIF": 25}, "", "FORMES", "≤ « Effectif total »"),
    ("ACC01", {"INCONNUE": 1}, "", "INCONNUE", "question inconnue"),
    ("PAR01", {"REALISE": "01/01/2023", "NOTE": "x" * 5001}, "", "NOTE", "5000"),
])
def test_bad_values_are_refused_by_name_and_nothing_is_saved(gateway, setup, stack, code, answers, comment, field,
                                                             words):
    answer = save(gateway, setup, code, answers, comment)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_failed" and "rien n'a été enregistré" in error["message"]
    assert words in error["details"][field]
    assert rows(stack, "SELECT count(*) AS n FROM contracts.indicator_answers WHERE contract_id = %s",
                setup.contract_id)[0]["n"] == 0


def test_bad_requests_are_refused(gateway, setup):
    url = setup.url(gateway, "/indicators/ACC01")
    for body, field in (({"answers": [], "version": 0}, "answers"), ({"answers": {}}, "version"),
                        ({"answers": {}, "version": "0"}, "version"), ({"answers": {}, "version": 0, "comment": 5},
                                                                      "comment")):
        answer = httpx.put(url, headers=bearer(setup.member), json=body)
        assert answer.status_code == 422 and field in answer.json()["error"]["details"], body
    assert httpx.put(url, headers=bearer(setup.member), content=b"nope").status_code == 400
    missing = httpx.get(setup.url(gateway, "/indicators/NOPE"), headers=bearer(setup.member))
    assert missing.status_code == 404


def test_a_stale_save_is_refused_so_no_update_is_lost(gateway, setup):
    assert save(gateway, setup, "ACC01", {"REALISE": 1}, version=0).status_code == 200
    stale = save(gateway, setup, "ACC01", {"REALISE": 2}, version=0)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "stale_version"
    assert setup.member_email in stale.json()["error"]["message"]
    results = []

    def racer(value):
        results.append(save(gateway, setup, "ACC01", {"REALISE": value}, version=1).status_code)

    threads = [threading.Thread(target=racer, args=(v,)) for v in (3, 4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]


def test_of_saves_racing_on_one_version_one_is_kept_and_the_others_leave_no_trace(gateway, setup, stack):
    """Saves read the answer without a lock and check its version again as they write: of 6 saves sent at once
    with the same version, one is stored — with its audit row and its event — and the 5 others are 409s that
    wrote nothing (no audit row, no event, the contract's version bumped once)."""
    assert save(gateway, setup, "ACC01", {"REALISE": 1}, version=0).status_code == 200
    contract_version = view(gateway, setup)["version"]
    results, barrier = {}, threading.Barrier(6)

    def racer(value):
        barrier.wait()
        results[value] = save(gateway, setup, "ACC01", {"REALISE": value}, version=1)

    threads = [threading.Thread(target=racer, args=(v,)) for v in range(10, 16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(answer.status_code for answer in results.values())
    assert statuses == [200, 409, 409, 409, 409, 409]
    [winner] = [value for value, answer in results.items() if answer.status_code == 200]
    for answer in results.values():
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "stale_version"
            assert answer.json()["error"]["details"] == {"current_version": 2}
    stored = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.member)).json()
    assert stored["version"] == 2 and [q["value"] for q in stored["questions"]] == [winner]
    audit = rows(stack, "SELECT new FROM contracts.audit WHERE contract_id = %s AND indicator_code = 'ACC01' "
                        "AND field = 'REALISE' ORDER BY id", setup.contract_id)
    assert [row["new"] for row in audit] == [1, winner]
    events = rows(stack, "SELECT envelope FROM contracts.outbox WHERE type = 'contracts.indicator.saved' "
                         "AND envelope->'data'->>'contract_id' = %s", setup.contract_id)
    assert sorted(event["envelope"]["data"]["version"] for event in events) == [1, 2]
    assert view(gateway, setup)["version"] == contract_version + 1


def test_closing_needs_100_percent_then_freezes_the_contract(gateway, setup, stack, mailbox):
    for code, answers in list(GOOD_ANSWERS.items())[:-1]:
        assert save(gateway, setup, code, answers).status_code == 200, code
    refused = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "incomplete" and "100 %" in error["message"]
    assert [m["indicator"] for m in error["details"]["missing"]] == ["PIL02"]
    assert error["details"]["fill_percentage"] == 100 * 5 // 7

    assert save(gateway, setup, "PIL02", GOOD_ANSWERS["PIL02"]).status_code == 200
    assert view(gateway, setup)["fill_percentage"] == 100
    closed = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member))
    assert closed.status_code == 200
    receipt = closed.json()["receipt_hash"]
    contract = view(gateway, setup)
    assert contract["status"] == "CONSULTATION" and contract["receipt_hash"] == receipt and not contract["editable"]

    frozen = save(gateway, setup, "ACC01", {"REALISE": 1})
    assert frozen.status_code == 409 and "CONSULTATION" in frozen.json()["error"]["message"]
    assert httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).status_code == 409
    [stored] = rows(stack, "SELECT hash, snapshot FROM contracts.receipts WHERE contract_id = %s", setup.contract_id)
    assert stored["hash"] == receipt
    assert stored["snapshot"]["indicators"][0]["answers"] == {"REALISE": 42}

    for who in (setup.ars_email, setup.member_email):
        # the closing's email (the closer also receives the receipt's, with its PDF: docs/receipts.md)
        [mail] = mailbox.wait_for(who, subject="e-CARS – Auto-évaluation close")
        assert receipt in mail["text"]


def test_closing_and_saving_at_once_one_wins_cleanly(gateway, setup):
    for code, answers in GOOD_ANSWERS.items():
        assert save(gateway, setup, code, answers).status_code == 200
    version = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.member)).json()["version"]
    results = {}

    def close():
        results["close"] = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).status_code

    def change():
        results["save"] = save(gateway, setup, "ACC01", {"REALISE": 7}, version=version).status_code

    threads = [threading.Thread(target=close), threading.Thread(target=change)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["close"] == 200
    assert results["save"] in (200, 409)
    value = httpx.get(setup.url(gateway, "/indicators/ACC01"), headers=bearer(setup.member)).json()
    frozen = 7 if results["save"] == 200 else 42
    assert value["questions"][0]["value"] == frozen  # whatever won, the receipt and the data agree


def test_a_restricted_indicator_is_grey_and_cannot_be_written(gateway, setup, stack):
    other_email, other_id = active_user(stack)
    answer = httpx.put(setup.url(gateway, "/restrictions/SOI01"), headers=bearer(setup.ars),
                       json={"user_ids": [other_id], "roles": [], "hidden": False})
    assert answer.status_code == 200
    assert dots(view(gateway, setup))["SOI01"] == "GRISE"
    refused = save(gateway, setup, "SOI01", {"REALISE": True})
    assert refused.status_code == 403 and "pastille grise" in refused.json()["error"]["message"]
    assert httpx.put(setup.url(gateway, "/restrictions/SOI01"), headers=bearer(setup.member),
                     json={"user_ids": [], "roles": [], "hidden": False}).status_code == 403


def test_access_matrix(gateway, setup, stack):
    stranger = sign_in(gateway, active_user(stack)[0])
    other_ars = sign_in(gateway, active_user(stack, role="ars", region="Occitanie")[0])
    cd = sign_in(gateway, active_user(stack, role="cd", departement="35")[0])
    for tokens in (stranger, other_ars, cd):
        assert httpx.get(setup.url(gateway), headers=bearer(tokens)).status_code == 404
        assert save(gateway, setup, "ACC01", {"REALISE": 1}, tokens=tokens, version=0).status_code == 404
        assert httpx.post(setup.url(gateway, "/close"), headers=bearer(tokens)).status_code == 404
    assert httpx.get(f"{gateway}/api/contracts/ej", headers=bearer(stranger)).json()["items"] == []
    assert httpx.get(setup.url(gateway)).status_code == 401
    # the region's ARS reads but does not fill
    contract = view(gateway, setup, setup.ars)
    assert contract["editable"] is False
    assert save(gateway, setup, "ACC01", {"REALISE": 1}, tokens=setup.ars, version=0).status_code == 403
    assert httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(setup.member), json={}).status_code in (
        403, 422)


def test_the_ars_follows_progress_and_reopens_with_a_reason(gateway, setup, mailbox):
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers)
    progress = httpx.get(f"{gateway}/api/contracts/campaigns/{setup.campaign_id}/progress", headers=bearer(setup.ars))
    assert [(c["id"], c["fill_percentage"]) for c in progress.json()["contracts"]] == [(setup.contract_id, 100)]
    receipt = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).json()["receipt_hash"]
    assert httpx.post(setup.url(gateway, "/reopen"), headers=bearer(setup.ars), json={}).status_code == 422
    assert httpx.post(setup.url(gateway, "/reopen"), headers=bearer(setup.member),
                      json={"reason": "x"}).status_code == 403
    reopened = httpx.post(setup.url(gateway, "/reopen"), headers=bearer(setup.ars),
                          json={"reason": "Indicateur ACC02 à corriger"})
    assert reopened.status_code == 200 and reopened.json()["status"] == "AUTO-EVALUATION"
    notice = [m for m in mailbox.wait_for(setup.member_email, count=2) if "rouverte" in m["subject"]]
    assert notice and "Indicateur ACC02 à corriger" in notice[0]["text"]
    assert save(gateway, setup, "ACC02", {"REALISE": 95}).status_code == 200
    second = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).json()["receipt_hash"]
    assert second != receipt
    accepted = httpx.post(setup.url(gateway, "/accept"), headers=bearer(setup.ars))
    assert accepted.status_code == 200 and view(gateway, setup)["review"] == "ACCEPTE"


def test_template_errors_are_named_and_nothing_is_imported(gateway, stack):
    ars = sign_in(gateway, active_user(stack, role="ars", region="Bretagne")[0])
    broken = {"indicators": [
        TEMPLATE["indicators"][0],
        {"code": "ACC01", "label": "", "questions": [{"code": "Q", "label": "Q", "kind": "couleur"}]},
        {"code": "X", "label": "X", "questions": []},
        {"code": "Y", "label": "Y", "questions": [{"code": "A", "label": "A", "kind": "number", "min": 5, "max": 1}],
         "rules": [{"type": "lte", "left": "A", "right": "B"}]},
    ]}
    before = rows(stack, "SELECT count(*) AS n FROM contracts.campaigns")[0]["n"]
    answer = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(ars), json={
        "name": "Trame cassée", "evaluated_year": 2023, "starts_on": "2024-01-01", "ends_on": "2024-06-30",
        "region": "Bretagne", "template": broken})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "invalid_template"
    places = {e["where"] for e in answer.json()["error"]["details"]["errors"]}
    assert places == {"indicators[1].code", "indicators[1].label", "indicators[1].questions[0].kind",
                      "indicators[2].questions", "indicators[3].questions[0].min", "indicators[3].rules[0]"}
    assert rows(stack, "SELECT count(*) AS n FROM contracts.campaigns")[0]["n"] == before
    for change, field in (({"evaluated_year": "2023"}, "evaluated_year"), ({"starts_on": "15/01/2024"}, "starts_on"),
                          ({"ends_on": "2023-01-01"}, "ends_on"), ({"region": ""}, "region")):
        body = {"name": "C", "evaluated_year": 2023, "starts_on": "2024-01-01", "ends_on": "2024-06-30",
                "region": "Bretagne", "template": TEMPLATE, **change}
        bad = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(ars), json=body)
        assert bad.status_code == 422 and field in bad.json()["error"]["details"], change
    other_region = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(ars), json={
        "name": "C", "evaluated_year": 2023, "starts_on": "2024-01-01", "ends_on": "2024-06-30",
        "region": "Occitanie", "template": TEMPLATE})
    assert other_region.status_code == 403


def test_a_spreadsheet_template_is_read_back_as_json_or_refused_with_its_places(gateway, stack):
    from tests.unit.test_contract_templates import GOOD, workbook

    ars = sign_in(gateway, active_user(stack, role="ars", region="Bretagne")[0])
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    good = httpx.post(f"{gateway}/api/contracts/campaigns/template", headers={**bearer(ars), "Content-Type": xlsx},
                      content=workbook(GOOD))
    assert good.status_code == 200 and good.json()["indicators"] == 3
    created = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(ars), json={
        "name": "Depuis Excel", "evaluated_year": 2024, "starts_on": "2025-01-01", "ends_on": "2025-06-30",
        "region": "Bretagne", "template": good.json()["template"]})
    assert created.status_code == 201 and created.json()["indicators"] == 3
    bad_row = ["X1", "Libellé", None, "Q", "Question", "couleur", None, None, None, None, None, None, None, None]
    bad = httpx.post(f"{gateway}/api/contracts/campaigns/template", headers={**bearer(ars), "Content-Type": xlsx},
                     content=workbook([bad_row]))
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["errors"][0]["where"] == "ligne 2, colonne F (type)"
    member = sign_in(gateway, active_user(stack)[0])
    assert httpx.post(f"{gateway}/api/contracts/campaigns/template", headers={**bearer(member), "Content-Type": xlsx},
                      content=workbook(GOOD)).status_code == 403
