"""« Transmettre les informations » through the gateway: refused with what is missing, then accepted and
read from the ARS back-office queue (checked against its schema); a retransmission is version 2 with the
changes. And the demo CPOM of `make run`."""

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import jsonschema
import pytest

from services.cpom.domain import finess_problem
from tests.support.cpom import (
    api,
    backoffice_messages,
    by_code,
    count,
    create_cpom,
    grant,
    grid_document,
    organisation,
    put_grid,
    user,
)
from tests.support.db import rows

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "events" / "cpom.information.transmitted.v1.json")
                    .read_text())


@pytest.fixture(scope="module")
def ars(stack, gateway):
    return user(stack, gateway, role="ars", region="Bretagne")


@pytest.fixture()
def setting(stack, gateway, ars):
    org = organisation(gateway, ars)
    team = {"referent": {"nom_complet": "arsmedico2 ars", "courriel": "arsmedico2@e-cars.test"},
            "co_referent": {"nom_complet": "Co Référent", "courriel": "co@ars.test"},
            "autorites": [{"nom_complet": "Agent CD 22", "courriel": "cd22@cd.test"},
                          {"nom_complet": "Sans courriel"}],
            "etablissement": [{"nom_complet": "RENAUD_Jerome", "courriel": "jeromerenaud@gmail.com"}]}
    cpom = create_cpom(gateway, ars, org, equipe=team, planning={"date_effet": "2022-01-01"})
    assert put_grid(gateway, ars, cpom["id"], grid_document(org["ets"])).status_code == 200
    gestionnaire = user(stack, gateway)
    grant(stack, gestionnaire.user_id, "ej", org["finess"])
    codes = by_code(httpx.get(api(gateway, f"/cpoms/{cpom['id']}/grille"), headers=ars.headers).json())
    return {"org": org, "cpom": cpom, "gestionnaire": gestionnaire, "codes": codes}


def fill_in(gateway, setting, skip=()):
    """The gestionnaire's whole part: an action per objective, the OG's choice, every value."""
    cpom_id, who, ets, codes = setting["cpom"]["id"], setting["gestionnaire"], setting["org"]["ets"], setting["codes"]

    def put(path, body):
        answer = httpx.put(api(gateway, f"/cpoms/{cpom_id}{path}"), headers=who.headers, json=body)
        assert answer.status_code == 200, answer.text

    for code in ("O1", "O2", "O3"):
        if code not in skip:
            put(f"/objectifs/{codes[code]['id']}/saisie", {"actions": [f"Action pour {code}"]})
    put(f"/objectifs/{codes['O2']['id']}/saisie", {"element_selectionne_og": "Prioritaire"})
    rates = [{"etablissement": et, "numerateur": 8, "denominateur": 100} for et in ets]
    put(f"/indicateurs/{codes['PILOT 072']['id']}/valeurs", {"valeurs": rates if "rate" not in skip else rates[:1]})
    numbers = [{"etablissement": et, "valeur": 40} for et in ets]
    put(f"/indicateurs/{codes['ACC 1']['id']}/valeurs", {"valeurs": numbers})
    put(f"/indicateurs/{codes['COOP 1']['id']}/valeurs", {"valeurs": [{"valeur": "CH de Dinan"}]})
    put(f"/indicateurs/{codes['SOIN 1']['id']}/valeurs", {"valeurs": [{"etablissement": ets[0], "valeur": True}]})


def transmit(gateway, who, cpom_id) -> httpx.Response:
    return httpx.post(api(gateway, f"/cpoms/{cpom_id}/transmissions"), headers=who.headers)


def test_an_incomplete_part_is_refused_with_the_list_of_what_is_missing(gateway, stack, setting):
    cpom_id, ets = setting["cpom"]["id"], setting["org"]["ets"]
    fill_in(gateway, setting, skip=("O3", "rate"))
    answer = transmit(gateway, setting["gestionnaire"], cpom_id)
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "incomplete"
    missing = answer.json()["error"]["details"]["manquants"]
    assert [(m["type"], m["objectif"]["code"], (m.get("indicateur") or {}).get("code"),
             (m.get("etablissement") or {}).get("finess")) for m in missing] == [
        ("valeur_manquante", "O1", "PILOT 072", ets[1]), ("objectif_sans_action", "O3", None, None)]
    assert "2 élément(s)" in answer.json()["error"]["message"]
    assert count(stack, "SELECT count(*) AS n FROM cpom.transmissions WHERE cpom_id = %s", cpom_id) == 0
    assert count(stack, "SELECT count(*) AS n FROM cpom.outbox WHERE type = 'cpom.information.transmitted' AND "
                        "envelope->'data'->>'cpom_id' = %s", cpom_id) == 0
    completeness = httpx.get(api(gateway, f"/cpoms/{cpom_id}/completude"), headers=setting["gestionnaire"].headers)
    assert completeness.json() == {"complet": False, "manquants": missing}


def test_transmission_reaches_the_backoffice_then_a_retransmission_carries_version_2_and_the_changes(
        gateway, stack, ars, setting):
    cpom_id, who, ets, codes = setting["cpom"]["id"], setting["gestionnaire"], setting["org"]["ets"], setting["codes"]
    fill_in(gateway, setting)
    assert transmit(gateway, ars, cpom_id).status_code == 403  # the gestionnaire transmits, not the authorities
    httpx.post(api(gateway, f"/cpoms/{cpom_id}/remarques"), headers=who.headers, json={"texte": "Contexte : travaux."})
    first = transmit(gateway, who, cpom_id)
    assert first.status_code == 201, first.text
    assert first.json()["version"] == 1 and first.json()["changes"] == []

    [message] = backoffice_messages(lambda e: e["data"].get("cpom_id") == cpom_id)
    envelope = message["envelope"]
    assert message["routing_key"] == "cpom.information.transmitted" and message["persistent"]
    assert envelope["type"] == "cpom.information.transmitted" and envelope["version"] == 1
    assert envelope["source"] == "cpom" and message["message_id"] == envelope["id"]
    jsonschema.validate(envelope["data"], SCHEMA)
    data = envelope["data"]
    assert data["version"] == 1 and data["previous_version"] is None and data["changes"] == []
    assert data["transmitted_by_email"] == who.email and data["ej_finess"] == setting["org"]["finess"]
    assert [(a["email"], a["equipe"]) for a in data["authorities"]] == [
        ("arsmedico2@e-cars.test", "referent"), ("co@ars.test", "co_referent"), ("cd22@cd.test", "autorites")]
    snapshot = data["snapshot"]
    assert snapshot["cpom"]["planning"]["date_effet"] == "2022-01-01"
    assert [e["finess"] for e in snapshot["etablissements"]] == ets
    o1 = next(o for o in snapshot["objectifs"] if o["code"] == "O1")
    rate = next(i for i in o1["indicateurs"] if i["code"] == "PILOT 072")
    assert [(v["etablissement"], v["numerateur"], v["denominateur"], v["taux"]) for v in rate["valeurs"]] == [
        (ets[0], 8, 100, 8), (ets[1], 8, 100, 8)]
    assert o1["actions"] == [{"numero": 1, "libelle": "Action pour O1"}]
    assert [r["texte"] for r in snapshot["remarques"]] == ["Contexte : travaux."]

    same = transmit(gateway, who, cpom_id)
    assert same.status_code == 409 and same.json()["error"]["code"] == "unchanged"

    # changes: an action changed and one added, a value changed, an objective added by the ARS and filled in
    httpx.put(api(gateway, f"/cpoms/{cpom_id}/objectifs/{codes['O1']['id']}/saisie"), headers=who.headers,
              json={"actions": ["Action revue pour O1", "Nouvelle action"]})
    httpx.put(api(gateway, f"/cpoms/{cpom_id}/indicateurs/{codes['PILOT 072']['id']}/valeurs"), headers=who.headers,
              json={"valeurs": [{"etablissement": ets[1], "numerateur": 1, "denominateur": 3}]})
    axe_id = httpx.get(api(gateway, f"/cpoms/{cpom_id}/grille"), headers=ars.headers).json()["axes"][1]["id"]
    added = httpx.post(api(gateway, f"/cpoms/{cpom_id}/axes/{axe_id}/objectifs"), headers=ars.headers,
                       json={"code": "O5", "libelle": "Objectif ajouté"})
    assert transmit(gateway, who, cpom_id).status_code == 422  # the new objective has no action yet
    httpx.put(api(gateway, f"/cpoms/{cpom_id}/objectifs/{added.json()['id']}/saisie"), headers=who.headers,
              json={"actions": ["Action O5"]})
    second = transmit(gateway, who, cpom_id)
    assert second.status_code == 201 and second.json()["version"] == 2

    [message] = backoffice_messages(lambda e: e["data"].get("cpom_id") == cpom_id)
    data = message["envelope"]["data"]
    jsonschema.validate(data, SCHEMA)
    assert data["version"] == 2 and data["previous_version"] == 1
    summary = {(c["kind"], c["change"], c["objectif"], c["action"], c["indicateur"], c["etablissement"])
               for c in data["changes"]}
    assert summary == {("action", "changed", "O1", 1, None, None), ("action", "added", "O1", 2, None, None),
                       ("valeur", "changed", "O1", None, "PILOT 072", ets[1]),
                       ("objectif", "added", "O5", None, None, None), ("action", "added", "O5", 1, None, None)}
    value = next(c for c in data["changes"] if c["kind"] == "valeur")
    assert (value["before"]["taux"], value["after"]["taux"]) == (8, 33.33)

    history = httpx.get(api(gateway, f"/cpoms/{cpom_id}/transmissions"), headers=ars.headers).json()["items"]
    assert [(h["version"], h["nb_changements"], h["transmise_par"]) for h in history] == [(2, 5, who.email),
                                                                                           (1, 0, who.email)]
    assert history[0]["changes"] == data["changes"]
    v1 = httpx.get(api(gateway, f"/cpoms/{cpom_id}/transmissions/1"), headers=who.headers).json()
    assert v1["snapshot"] == snapshot
    assert httpx.get(api(gateway, f"/cpoms/{cpom_id}/transmissions/3"), headers=who.headers).status_code == 404
    sheet = httpx.get(api(gateway, f"/cpoms/{cpom_id}"), headers=who.headers).json()
    assert sheet["derniere_transmission"]["version"] == 2
    audit = rows(stack, "SELECT details FROM cpom.audit_log WHERE cpom_id = %s AND action = 'transmission.sent' "
                        "ORDER BY id", cpom_id)
    assert [a["details"]["version"] for a in audit] == [1, 2]


def test_the_backoffice_queue_is_declared_durable_with_its_dead_letter_queue(stack):
    import asyncio

    import aio_pika

    from tests.support.cpom import BACKOFFICE_QUEUE

    async def check():
        connection = await aio_pika.connect("amqp://guest:guest@127.0.0.1:5672/")
        async with connection:
            channel = await connection.channel()
            await channel.declare_queue(BACKOFFICE_QUEUE, passive=True)
            await channel.declare_queue(f"{BACKOFFICE_QUEUE}.dead", passive=True)
            # declaring it again with the documented arguments is accepted (a mismatch would close the channel)
            await channel.declare_queue(BACKOFFICE_QUEUE, durable=True, arguments={
                "x-queue-type": "quorum", "x-delivery-limit": 10, "x-overflow": "reject-publish",
                "x-dead-letter-exchange": "", "x-dead-letter-routing-key": f"{BACKOFFICE_QUEUE}.dead",
                "x-dead-letter-strategy": "at-least-once"})
            await channel.declare_queue(f"{BACKOFFICE_QUEUE}.dead", durable=True, arguments={
                "x-queue-type": "quorum", "x-delivery-limit": 10000, "x-overflow": "reject-publish"})

    asyncio.run(check())


def test_the_demo_cpom_of_make_run(gateway, stack):
    """The seed: the guide's EJs, RESIDENCE DU PARC and the CPOM reached through the EJ habilitation."""
    ejs = {r["finess"]: r for r in rows(stack, "SELECT * FROM cpom.ej WHERE finess IN ('220006175', '350001202', "
                                               "'710000068')")}
    assert ejs["220006175"]["raison_sociale"] == "CCAS BEAUSSAIS SUR MER"
    assert ejs["350001202"]["adresse"] == "3 R DU PATIS DES COUASNES 35091 RENNES"
    assert ejs["710000068"]["telephone"] == "0385443001"
    [et] = rows(stack, "SELECT * FROM cpom.et WHERE ej_finess = '220006175'")
    assert et["nom"] == "RESIDENCE DU PARC" and finess_problem(et["finess"]) is None
    demo = user(stack, gateway)
    grant(stack, demo.user_id, "ej", "220006175")
    home = httpx.get(api(gateway, "/ej"), headers=demo.headers).json()
    assert [i["etablissement"] for i in home["items"]] == ["220006175 - CCAS BEAUSSAIS SUR MER"]
    page = httpx.get(api(gateway, "/ej/220006175"), headers=demo.headers).json()
    [line] = page["cpoms"]
    assert line["nom"] == "CPOM_PATEST_2022_220006175_TESTCCAS BEAUSSAIS SUR MER"
    assert (line["cree_le"], line["raison_du_statut"], line["competence"], line["date_effet"]) == (
        "2021-03-22", "3 Diagnostic", "Conjointe", "2022-01-01")
    assert line["id"] == "4b6f40c5-0306-5660-a0b2-e7bd856d924f"
    assert [c["nom_complet"] for c in page["contacts"]] == ["GIRONDE_Jer", "RENAUD_Jerome"]
    assert [e["etablissement"] for e in page["etablissements"]] == [f"{et['finess']} - RESIDENCE DU PARC"]
    sheet = httpx.get(api(gateway, f"/cpoms/{line['id']}"), headers=demo.headers).json()
    assert sheet["planning"]["date_echeance"] == "2026-12-31"
    assert sheet["planning"]["date_echeance_initiale"] == "2021-12-31"
    assert sheet["equipe"]["referent"]["nom_complet"] == "arsmedico2 ars"
    assert sheet["departements"] == ["22"] and sheet["validation"]["ars"]["libelle"] == "Non"
    grid = httpx.get(api(gateway, f"/cpoms/{line['id']}/grille"), headers=demo.headers).json()
    indicators = [i for a in grid["axes"] for o in a["objectifs"] for i in o["indicateurs"]]
    assert {i["type"]["code"] for i in indicators} == {"quantitatif", "qualitatif", "taux", "oui_non"}
    marge = next(i for i in indicators if i["code"] == "PILOT 072")
    assert marge["intitule"] == "PILOT 072-Taux de marge N-1 renseigné dans l'ERSD"
    assert marge["declinaison"]["libelle"] == "ET par ET"


def test_the_demo_user_reaches_the_demo_cpom_through_the_projection(gateway, stack):
    """auth's seed announces the demo user's EJ habilitations; the cpom worker projects them."""
    [demo] = rows(stack, "SELECT id FROM auth.users WHERE email = 'demo.etablissement@e-cars.test'")
    deadline, found = time.monotonic() + 15, []
    while time.monotonic() < deadline:
        found = rows(stack, "SELECT scope_id FROM cpom.habilitations WHERE user_id = %s AND scope_type = 'ej' "
                            "ORDER BY scope_id", demo["id"])
        if len(found) == 3:
            break
        time.sleep(0.2)
    assert [f["scope_id"] for f in found] == ["220006175", "350001202", "710000068"]


def test_seed_and_migrate_run_again_change_nothing(stack):
    tables = ("ej", "et", "cpoms", "equipe", "axes", "objectifs", "indicateurs", "cpom_etablissements")

    def counts():
        return {t: count(stack, f"SELECT count(*) AS n FROM cpom.{t}") for t in tables}

    before = counts()
    for command in ("migrate", "seed"):
        done = subprocess.run([sys.executable, "-m", "services.cpom", command], env=stack.env(), capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
    assert counts() == before
