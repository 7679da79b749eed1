"""« CPOM - Contractualisation » through the gateway: the sheet, its planning, status, validation, team,
perimeter and amendments, and who may see or change what."""

import time

import httpx
import pytest

from tests.support.cpom import api, count, create_cpom, grant, new_finess, organisation, user
from tests.support.db import rows


@pytest.fixture(scope="module")
def ars(stack, gateway):
    return user(stack, gateway, role="ars", region="Bretagne")


@pytest.fixture(scope="module")
def cd(stack, gateway):
    return user(stack, gateway, role="cd", departement="22")


@pytest.fixture()
def setting(stack, gateway, ars):
    """An EJ of Bretagne with two ETs, its Conjointe CPOM (département 22) and its gestionnaire."""
    org = organisation(gateway, ars)
    cpom = create_cpom(gateway, ars, org, planning={"date_effet": "2022-01-01", "date_echeance": "2026-12-31"})
    gestionnaire = user(stack, gateway)
    grant(stack, gestionnaire.user_id, "ej", org["finess"])
    return {"org": org, "cpom": cpom, "gestionnaire": gestionnaire}


def sheet_of(gateway, who, cpom_id) -> httpx.Response:
    return httpx.get(api(gateway, f"/cpoms/{cpom_id}"), headers=who.headers)


def test_the_sheet_reads_like_the_guide(gateway, stack, ars, setting):
    cpom, org = setting["cpom"], setting["org"]
    body = sheet_of(gateway, setting["gestionnaire"], cpom["id"]).json()
    assert body["nom"] == cpom["nom"]
    assert body["ej"]["libelle"].startswith(f"{org['finess']} - EJ TEST")
    assert body["statut"] == {"code": "preparation", "libelle": "1 Préparation", "rang": 1}
    assert [s["libelle"] for s in body["statuts"]] == ["1 Préparation", "2 Lancement", "3 Diagnostic",
                                                       "4 Négociation", "5 Signature", "6 Suivi"]
    assert body["competence"] == "Conjointe" and body["departements"] == ["22"]
    assert body["planning"]["date_effet"] == "2022-01-01" and body["planning"]["date_echeance"] == "2026-12-31"
    assert set(body["planning"]) == {"date_effet", "date_echeance", "annee_dialogue_gestion",
                                     "phase_diagnostic_planifiee", "phase_negociation_planifiee",
                                     "date_signature_cible", "date_echeance_initiale", "fin_diagnostic",
                                     "fin_negociation"}
    assert body["validation"]["ars"]["libelle"] == "Non" and body["validation"]["requises"] == ["ARS", "CD"]
    assert {e["finess"] for e in body["etablissements"]} == set(org["ets"])  # every ET of the EJ by default
    assert body["equipe"] == {"referent": None, "co_referent": None, "autorites": [], "etablissement": []}
    assert body["droits"]["saisir"] and not body["droits"]["modifier"] and not body["droits"]["changer_statut"]
    assert sheet_of(gateway, ars, cpom["id"]).json()["droits"]["modifier"] is True


def test_the_planning_is_updated_and_bad_dates_are_refused_with_nothing_saved(gateway, stack, ars, setting):
    cpom_id = setting["cpom"]["id"]
    good = {"planning": {"annee_dialogue_gestion": 2024, "phase_diagnostic_planifiee": "2021-06-01",
                         "phase_negociation_planifiee": "2021-09-01", "date_signature_cible": "2021-12-01",
                         "date_echeance_initiale": "2021-12-31", "fin_diagnostic": "2021-08-31"}}
    answer = httpx.patch(api(gateway, f"/cpoms/{cpom_id}"), headers=ars.headers, json=good)
    assert answer.status_code == 200, answer.text
    assert answer.json()["planning"]["annee_dialogue_gestion"] == 2024
    assert answer.json()["planning"]["date_effet"] == "2022-01-01"  # fields not sent are kept
    before = sheet_of(gateway, ars, cpom_id).json()
    for bad, field in [
        ({"date_echeance": "2021-12-31"}, "planning.date_echeance"),  # before the date d'effet
        ({"date_effet": "2027-01-01"}, "planning.date_echeance"),  # moves the effet after the échéance
        ({"date_effet": "31/12/2022"}, "planning.date_effet"),
        ({"date_effet": "2022-02-30"}, "planning.date_effet"),
        ({"fin_negociation": "2021-08-01"}, "planning.fin_negociation"),  # before the end of the diagnostic
        ({"phase_negociation_planifiee": "2021-05-01"}, "planning.phase_negociation_planifiee"),
        ({"annee_dialogue_gestion": 2031}, "planning.annee_dialogue_gestion"),
        ({"annee_dialogue_gestion": "deux mille"}, "planning.annee_dialogue_gestion"),
        ({"date_de_fin": "2024-01-01"}, "planning.date_de_fin"),
    ]:
        refused = httpx.patch(api(gateway, f"/cpoms/{cpom_id}"), headers=ars.headers,
                              json={"nom": "NOUVEAU NOM", "planning": bad})
        assert refused.status_code == 422, bad
        assert field in refused.json()["error"]["details"], (bad, refused.json())
        assert "«" in refused.json()["error"]["message"]
    for bad, field in [({"competence": "Région"}, "competence"), ({"departements": ["20"]}, "departements"),
                       ({"departements": []}, "departements"), ({"nom": ""}, "nom"), ({"statut": "suivi"}, "statut"),
                       ({"nom": setting["cpom"]["nom"] + "x" * 400}, "nom")]:
        refused = httpx.patch(api(gateway, f"/cpoms/{cpom_id}"), headers=ars.headers, json=bad)
        assert refused.status_code == 422 and field in refused.json()["error"]["details"], bad
    after = sheet_of(gateway, ars, cpom_id).json()
    assert after == before  # nothing saved, not even the valid name sent alongside
    both_wrong = httpx.patch(api(gateway, f"/cpoms/{cpom_id}"), headers=ars.headers,
                             json={"planning": {"date_echeance": "2020-01-01", "date_effet": "pas une date"}})
    assert set(both_wrong.json()["error"]["details"]) == {"planning.date_effet"}


def test_the_gestionnaire_cannot_change_status_planning_or_validation(gateway, stack, setting):
    cpom_id, gestionnaire = setting["cpom"]["id"], setting["gestionnaire"]
    before = sheet_of(gateway, gestionnaire, cpom_id).json()
    for method, path, body in [
        ("PATCH", "", {"planning": {"date_effet": "2022-02-01"}}),
        ("POST", "/statut", {"statut": "lancement"}),
        ("POST", "/validation", {"autorite": "ARS", "valide": True}),
        ("POST", "/avenants", {"date": "2023-01-01", "objet": "x"}),
        ("PUT", "/etablissements", {"etablissements": []}),
        ("PUT", "/equipe", {"referent": {"nom_complet": "Moi"}}),
    ]:
        answer = httpx.request(method, api(gateway, f"/cpoms/{cpom_id}{path}"), headers=gestionnaire.headers,
                               json=body)
        assert answer.status_code == 403, (path, answer.text)
    assert sheet_of(gateway, gestionnaire, cpom_id).json() == before
    assert rows(stack, "SELECT role, details FROM cpom.audit_log WHERE cpom_id = %s AND action = "
                       "'cpom.status_change_refused'", cpom_id)[0]["role"] == "etablissement"


def test_status_moves_one_phase_at_a_time_by_ars_or_cd_and_is_audited(gateway, stack, ars, cd, setting):
    cpom_id = setting["cpom"]["id"]

    def move(who, target, motif=""):
        return httpx.post(api(gateway, f"/cpoms/{cpom_id}/statut"), headers=who.headers,
                          json={"statut": target, "motif": motif})

    assert move(ars, "lancement", "Réunion de lancement tenue").json()["statut"]["libelle"] == "2 Lancement"
    assert move(cd, "diagnostic").json()["statut"]["libelle"] == "3 Diagnostic"
    skipped = move(ars, "suivi")
    assert skipped.status_code == 409 and "suivante" in skipped.json()["error"]["message"]
    assert move(ars, "lancement").status_code == 200  # back one step to correct a mistake
    assert move(ars, "diagnostic").status_code == 200
    assert move(ars, "negociation").status_code == 200
    unvalidated = move(ars, "signature")
    assert unvalidated.status_code == 409 and "validation" in unvalidated.json()["error"]["message"]
    assert move(ars, "nulle-part").status_code == 422
    assert move(user(stack, gateway, role="admin"), "signature").status_code == 403
    audit = rows(stack, "SELECT action, email, details FROM cpom.audit_log WHERE cpom_id = %s AND action LIKE "
                        "'cpom.status%%' ORDER BY id", cpom_id)
    changed = [(a["details"]["avant"], a["details"]["apres"], a["email"]) for a in audit
               if a["action"] == "cpom.status_changed"]
    assert changed == [("preparation", "lancement", ars.email), ("lancement", "diagnostic", cd.email),
                       ("diagnostic", "lancement", ars.email), ("lancement", "diagnostic", ars.email),
                       ("diagnostic", "negociation", ars.email)]
    assert audit[0]["details"]["motif"] == "Réunion de lancement tenue"
    assert sum(a["action"] == "cpom.status_change_refused" for a in audit) == 3
    journal = httpx.get(api(gateway, f"/cpoms/{cpom_id}/journal"), headers=ars.headers)
    assert journal.status_code == 200 and journal.json()["items"][0]["action"].startswith("cpom.status")
    assert httpx.get(api(gateway, f"/cpoms/{cpom_id}/journal"),
                     headers=setting["gestionnaire"].headers).status_code == 403


def test_validation_by_the_matching_authority_and_both_for_a_conjointe_cpom(gateway, stack, ars, cd, setting):
    cpom_id = setting["cpom"]["id"]

    def validate(who, autorite, valide=True):
        return httpx.post(api(gateway, f"/cpoms/{cpom_id}/validation"), headers=who.headers,
                          json={"autorite": autorite, "valide": valide})

    assert validate(ars, "CD").status_code == 403  # an ARS user never gives the CD's validation
    assert validate(cd, "ARS").status_code == 403
    assert validate(user(stack, gateway, role="admin"), "ARS").status_code == 403
    assert validate(ars, "ARS", "oui").status_code == 422
    first = validate(ars, "ARS").json()["validation"]
    assert first["ars"]["valide"] and first["ars"]["par"] == ars.email and not first["complete"]
    for target in ("lancement", "diagnostic", "negociation"):
        assert httpx.post(api(gateway, f"/cpoms/{cpom_id}/statut"), headers=ars.headers,
                          json={"statut": target}).status_code == 200
    assert httpx.post(api(gateway, f"/cpoms/{cpom_id}/statut"), headers=ars.headers,
                      json={"statut": "signature"}).status_code == 409  # the CD has not validated yet
    both = validate(cd, "CD").json()["validation"]
    assert both["complete"] and both["cd"]["libelle"] == "Oui"
    assert httpx.post(api(gateway, f"/cpoms/{cpom_id}/statut"), headers=ars.headers,
                      json={"statut": "signature"}).json()["statut"]["libelle"] == "5 Signature"
    assert validate(cd, "CD", False).json()["validation"]["complete"] is False

    # an ARS-only CPOM: no CD validation, and a CD user may not manage it
    ars_only = create_cpom(gateway, ars, setting["org"], competence="ARS")
    refused = httpx.post(api(gateway, f"/cpoms/{ars_only['id']}/validation"), headers=cd.headers,
                         json={"autorite": "CD", "valide": True})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "validation_not_applicable"
    assert httpx.post(api(gateway, f"/cpoms/{ars_only['id']}/statut"), headers=cd.headers,
                      json={"statut": "lancement"}).status_code == 403
    alone = httpx.post(api(gateway, f"/cpoms/{ars_only['id']}/validation"), headers=ars.headers,
                       json={"autorite": "ARS", "valide": True}).json()["validation"]
    assert alone["complete"] and alone["requises"] == ["ARS"]


def test_team_perimeter_and_amendments(gateway, stack, ars, setting):
    cpom_id, gestionnaire = setting["cpom"]["id"], setting["gestionnaire"]
    team = {"referent": {"nom_complet": "arsmedico2 ars", "courriel": "ARSMEDICO2@e-cars.test"},
            "autorites": [{"nom_complet": "Agent CD", "telephone": "02 96 00 00 00", "courriel": "cd22@e-cars.test"}],
            "etablissement": [{"nom_complet": "GIRONDE_Jer", "courriel": "zegzeff@fr.fr"}]}
    answer = httpx.put(api(gateway, f"/cpoms/{cpom_id}/equipe"), headers=ars.headers, json=team)
    assert answer.status_code == 200, answer.text
    assert answer.json()["referent"]["courriel"] == "arsmedico2@e-cars.test"
    assert answer.json()["autorites"][0]["telephone"] == "0296000000"
    mine = httpx.put(api(gateway, f"/cpoms/{cpom_id}/equipe"), headers=gestionnaire.headers, json={
        "etablissement": [{"nom_complet": "RENAUD_Jerome", "telephone_mobile": "0611223344",
                           "courriel": "jeromerenaud@gmail.com"}]})
    assert mine.status_code == 200 and [p["nom_complet"] for p in mine.json()["etablissement"]] == ["RENAUD_Jerome"]
    assert mine.json()["referent"]["nom_complet"] == "arsmedico2 ars"
    for bad, field in [({"referent": {"nom_complet": ""}}, "equipe.referent.nom_complet"),
                       ({"autorites": [{"nom_complet": "X", "courriel": "pas-une-adresse"}]},
                        "equipe.autorites[0].courriel"),
                       ({"etablissement": [{"nom_complet": "X", "telephone": "12"}]},
                        "equipe.etablissement[0].telephone"),
                       ({"capitaine": []}, "equipe.capitaine")]:
        refused = httpx.put(api(gateway, f"/cpoms/{cpom_id}/equipe"), headers=ars.headers, json=bad)
        assert refused.status_code == 422 and field in refused.json()["error"]["details"], bad

    org = setting["org"]
    narrowed = httpx.put(api(gateway, f"/cpoms/{cpom_id}/etablissements"), headers=ars.headers,
                         json={"etablissements": [org["ets"][0]]})
    assert [e["finess"] for e in narrowed.json()["etablissements"]] == [org["ets"][0]]
    foreign = organisation(gateway, ars, ets=1)["ets"][0]
    refused = httpx.put(api(gateway, f"/cpoms/{cpom_id}/etablissements"), headers=ars.headers,
                        json={"etablissements": [foreign]})
    assert refused.status_code == 422 and foreign in refused.json()["error"]["details"]["etablissements"]

    first = httpx.post(api(gateway, f"/cpoms/{cpom_id}/avenants"), headers=ars.headers,
                       json={"date": "2023-06-30", "objet": "Extension de capacité"})
    second = httpx.post(api(gateway, f"/cpoms/{cpom_id}/avenants"), headers=ars.headers,
                        json={"date": "2024-01-15", "objet": "Prolongation"})
    assert (first.status_code, first.json()["numero"], second.json()["numero"]) == (201, 1, 2)
    for bad, field in [({"date": "2023-13-01", "objet": "x"}, "date"), ({"objet": "x"}, "date"),
                       ({"date": "2023-01-01", "objet": ""}, "objet")]:
        refused = httpx.post(api(gateway, f"/cpoms/{cpom_id}/avenants"), headers=ars.headers, json=bad)
        assert refused.status_code == 422 and field in refused.json()["error"]["details"]
    avenants = sheet_of(gateway, gestionnaire, cpom_id).json()["avenants"]
    assert [(a["numero"], a["date"], a["objet"]) for a in avenants] == [
        (1, "2023-06-30", "Extension de capacité"), (2, "2024-01-15", "Prolongation")]


def test_creating_a_cpom(gateway, stack, ars, cd):
    org = organisation(gateway, ars)
    gestionnaire = user(stack, gateway)
    body = {"nom": f"CPOM CREATION {org['finess']}", "ej_finess": org["finess"], "competence": "ARS",
            "departements": ["22"], "planning": {"date_effet": "2024-01-01", "date_echeance": "2028-12-31"},
            "etablissements": [org["ets"][1]]}
    assert httpx.post(api(gateway, "/cpoms"), headers=gestionnaire.headers, json=body).status_code == 403
    for bad, field in [({"ej_finess": "220006176"}, "ej_finess"), ({"ej_finess": new_finess("22")}, "ej_finess"),
                       ({"competence": "CD"}, "competence"),  # an ARS user cannot carry a CD-only CPOM
                       ({"departements": ["2C"]}, "departements"),
                       ({"planning": {"date_effet": "2029-01-01", "date_echeance": "2028-12-31"}},
                        "planning.date_echeance"),
                       ({"etablissements": ["220006175", "220006175"]}, "etablissements"),
                       ({"statut": "suivi"}, "statut")]:
        refused = httpx.post(api(gateway, "/cpoms"), headers=ars.headers, json={**body, **bad})
        assert refused.status_code == 422 and field in refused.json()["error"]["details"], (bad, refused.text)
    assert count(stack, "SELECT count(*) AS n FROM cpom.cpoms WHERE nom = %s", body["nom"]) == 0
    created = httpx.post(api(gateway, "/cpoms"), headers=ars.headers, json=body)
    assert created.status_code == 201, created.text
    assert [e["finess"] for e in created.json()["etablissements"]] == [org["ets"][1]]
    duplicate = httpx.post(api(gateway, "/cpoms"), headers=ars.headers, json=body)
    assert duplicate.status_code == 422 and "nom" in duplicate.json()["error"]["details"]
    elsewhere = httpx.post(api(gateway, "/cpoms"), headers=user(stack, gateway, role="cd", departement="35").headers,
                           json={**body, "nom": body["nom"] + " CD", "competence": "CD"})
    assert elsewhere.status_code == 422  # a CD user creates CPOM of their département only


def test_who_may_see_a_cpom(gateway, stack, ars, cd, setting):
    cpom_id = setting["cpom"]["id"]
    by_cpom = user(stack, gateway)
    grant(stack, by_cpom.user_id, "cpom", cpom_id)
    allowed = [setting["gestionnaire"], by_cpom, ars, cd, user(stack, gateway, role="admin")]
    for who in allowed:
        assert sheet_of(gateway, who, cpom_id).status_code == 200, who.email
    other_ej_user = user(stack, gateway)
    grant(stack, other_ej_user.user_id, "ej", organisation(gateway, ars)["finess"])
    refused = [other_ej_user, user(stack, gateway, role="ars", region="Normandie"),
               user(stack, gateway, role="cd", departement="35"), user(stack, gateway, role="support"),
               user(stack, gateway, role="ars")]  # an ARS user without a region
    paths = ["", "/grille", "/remarques", "/transmissions", "/completude"]
    for who in refused:
        for path in paths:
            answer = httpx.get(api(gateway, f"/cpoms/{cpom_id}{path}"), headers=who.headers)
            assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found", (who.email, path)
        assert httpx.post(api(gateway, f"/cpoms/{cpom_id}/remarques"), headers=who.headers,
                          json={"texte": "intrus"}).status_code == 404
        assert httpx.post(api(gateway, f"/cpoms/{cpom_id}/statut"), headers=who.headers,
                          json={"statut": "lancement"}).status_code == 404
    for path in paths:
        assert httpx.get(api(gateway, f"/cpoms/{cpom_id}{path}")).status_code == 401
    assert sheet_of(gateway, ars, "00000000-0000-0000-0000-000000000000").status_code == 404
    assert httpx.get(api(gateway, "/cpoms/pas-un-uuid"), headers=ars.headers).status_code == 404
    assert count(stack, "SELECT count(*) AS n FROM cpom.remarques WHERE cpom_id = %s", cpom_id) == 0


def test_access_granted_through_auth_reaches_the_cpom_projection(gateway, stack, ars, setting):
    """The real path: an ARS user grants the EJ in « Gestion des habilitations »; auth's event reaches the
    cpom projection, and the new interlocutor sees the CPOM; the revocation takes it away (the member keeps another
    EJ's habilitation, so the revocation does not end their session: docs/security.md, 7.4.2)."""
    member = user(stack, gateway)
    rows(stack, "INSERT INTO auth.habilitations (user_id, scope_type, scope_id) VALUES (%s, 'ej', '000000000') "
                "RETURNING id", member.user_id)
    granted = httpx.post(f"{gateway}/api/auth/habilitations", headers=ars.headers, json={
        "scope_type": "ej", "scope_id": setting["org"]["finess"], "civilite": "M.", "nom": "RENAUD",
        "prenom": "Jerome", "fonction": "Directeur", "email": member.email})
    assert granted.status_code == 201, granted.text
    deadline = time.monotonic() + 15
    while sheet_of(gateway, member, setting["cpom"]["id"]).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sheet_of(gateway, member, setting["cpom"]["id"]).json()["droits"]["saisir"] is True
    assert httpx.delete(f"{gateway}/api/auth/habilitations/{granted.json()['id']}",
                        headers=ars.headers).status_code == 204
    deadline = time.monotonic() + 15
    while sheet_of(gateway, member, setting["cpom"]["id"]).status_code != 404 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert sheet_of(gateway, member, setting["cpom"]["id"]).status_code == 404
