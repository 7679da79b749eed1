"""Access matrix of the contracts service: every route, each caller by its relation to the contract
(tests/support/access.py builds them), and the bad tokens. A contract the caller may not see is 404, as
for an id that does not exist (services/contracts/access.py); a contract seen but not writable is 403."""

import itertools
from datetime import date, timedelta

from tests.conftest import unique
from tests.support.access import (
    BLIND,
    SEES,
    Route,
    Variant,
    matrix_tests,
    service_routes,
)
from tests.support.contracts import TEMPLATE

SERVICE = "contracts"
STRANGERS = {"other_ej": 404, "ars_other_region": 404, "cd": 404, "cd_other_dept": 404, "support": 404}
READ = {"ej_member": 200, "ej_collaborator": 200, "ars": 200, **STRANGERS}
ESTABLISHMENT_WRITE = {"ej_member": 200, "ej_collaborator": 200, "ars": (403, "read_only"), **STRANGERS}
ARS_WRITE = {"ej_member": 403, "ej_collaborator": 403, "ars": 200, **STRANGERS}
ARS_ONLY = {"ej_member": 403, "other_ej": 403, "cd": 403, "support": 403}


def save_body(w, code="ACC01"):
    return {"json": {"version": w.version(w.ids["contract"], code), "answers": {"REALISE": 12}, "comment": ""}}


def save_closed_body(w):
    return {"json": {"version": w.version(w.ids["closed"]), "answers": {"REALISE": 12}, "comment": ""}}


def campaign_body(_w):
    return {"json": {"name": unique("Campagne"), "evaluated_year": 2023, "starts_on": "2024-01-15",
                     "ends_on": "2024-06-30", "region": "Bretagne", "template": TEMPLATE}}


LATER = itertools.count(1)


def deadline_body(_w):
    closes_on = date(2090, 1, 1) + timedelta(days=next(LATER))
    return {"json": {"closes_on": closes_on.isoformat(), "reason": "Prolongation accordée"}}


def contract_body(_w):
    return {"json": {"name": unique("Contrat"), "ej_finess": "220000000", "ej_raison_sociale": "EJ"}}


ROUTES = service_routes(SERVICE) + [
    Route("GET", "/ej", "/ej", {"ej_member": SEES, "ej_collaborator": SEES, "other_ej": BLIND, "ars": 200,
                               "ars_other_region": BLIND, "cd": BLIND, "support": BLIND}, listed="finess"),
    Route("GET", "/ej/<finess>/contracts", "/ej/{finess}/contracts", {
        "ej_member": SEES, "ej_collaborator": SEES, "other_ej": BLIND, "ars": SEES, "ars_other_region": BLIND,
        "cd": BLIND, "cd_other_dept": BLIND, "support": BLIND}, listed="contract"),
    Route("GET", "/contracts/<uuid:contract_id>", "/contracts/{contract}", READ),
    Route("GET", "/contracts/<uuid:contract_id>/indicators/<code>", "/contracts/{contract}/indicators/ACC01", READ,
          variants=[Variant("grey indicator", "/contracts/{contract}/indicators/ACC02", {  # shown, not editable
              "ej_member": 200, "ej_collaborator": 200, "ars": 200, "other_ej": 404}),
                    Variant("hidden grey indicator", "/contracts/{contract}/indicators/PIL01", {
                        "ej_member": (403, "indicator_not_accessible"), "ej_collaborator": 403, "ars": 200,
                        "other_ej": 404})]),
    Route("PUT", "/contracts/<uuid:contract_id>/indicators/<code>", "/contracts/{contract}/indicators/ACC01",
          ESTABLISHMENT_WRITE, send=save_body, variants=[
              Variant("grey indicator", "/contracts/{contract}/indicators/ACC02", {
                  "ej_member": (403, "indicator_not_accessible"), "ej_collaborator": 403, "other_ej": 404},
                  send=lambda w: save_body(w, "ACC02")),
              Variant("closed contract", "/contracts/{closed}/indicators/ACC01", {
                  "ej_member": (409, "contract_closed"), "ars": 409, "other_ej": 404}, send=save_closed_body)]),
    Route("POST", "/contracts/<uuid:contract_id>/close", "/contracts/{contract}/close", {
        "ej_member": (409, "incomplete"), "ej_collaborator": (409, "incomplete"), "ars": (403, "read_only"),
        **STRANGERS}, variants=[Variant("closed contract", "/contracts/{closed}/close", {
            "ej_member": (409, "contract_closed"), "other_ej": 404})]),
    Route("GET", "/contracts/<uuid:contract_id>/export", "/contracts/{contract}/export", READ),
    Route("GET", "/contracts/<uuid:contract_id>/history", "/contracts/{contract}/history", READ),
    Route("POST", "/campaigns", "/campaigns", {"ars": 201, "ars_other_region": 403, **ARS_ONLY},
          send=campaign_body),
    Route("POST", "/campaigns/template", "/campaigns/template", {"ars": 200, "ars_other_region": 200, **ARS_ONLY},
          send=lambda w: {"json": TEMPLATE}),
    Route("GET", "/campaigns/<uuid:campaign_id>/progress", "/campaigns/{campaign}/progress",
          {"ars": 200, "ars_other_region": 404, **ARS_ONLY}),
    Route("POST", "/campaigns/<uuid:campaign_id>/contracts", "/campaigns/{campaign}/contracts",
          {"ars": 201, "ars_other_region": 404, **ARS_ONLY}, send=contract_body),
    Route("PUT", "/contracts/<uuid:contract_id>/restrictions/<code>", "/contracts/{contract}/restrictions/ACC02",
          {**ARS_WRITE, "ej_member": (403, "forbidden")},
          send=lambda w: {"json": {"roles": ["ars"], "user_ids": [], "hidden": False}}),
    Route("POST", "/contracts/<uuid:contract_id>/accept", "/contracts/{closed}/accept", ARS_WRITE, variants=[
        Variant("open contract", "/contracts/{contract}/accept", {"ars": (409, "not_closed"), "ej_member": 403})]),
    # reopening is tried on the open contract only (409 once access is granted), so the closed one stays closed
    Route("POST", "/contracts/<uuid:contract_id>/reopen", "/contracts/{contract}/reopen",
          {**ARS_WRITE, "ars": (409, "not_closed")}, send=lambda w: {"json": {"reason": "Pièce manquante"}}),
    Route("PUT", "/campaigns/<uuid:campaign_id>/calendar", "/campaigns/{campaign}/calendar",
          {"ars": 200, "ars_other_region": 404, **ARS_ONLY},
          send=lambda w: {"json": {"opens_on": None, "closes_on": None}}),
    # each call asks a later date than the one before, so the ARS's every try is a real extension
    Route("POST", "/contracts/<uuid:contract_id>/deadline", "/contracts/{contract}/deadline",
          {"ars": 200, "ars_other_region": 404, "ej_collaborator": 403, **ARS_ONLY}, send=deadline_body),
    Route("POST", "/campaigns/<uuid:campaign_id>/bulk", "/campaigns/{campaign}/bulk",
          {"ars": 200, "ars_other_region": 404, **ARS_ONLY},
          send=lambda w: {"json": {"action": "accept", "contract_ids": [w.ids["contract"]]}}),
    Route("GET", "/campaigns/<uuid:campaign_id>/export", "/campaigns/{campaign}/export?format=csv",
          {"ars": 200, "ars_other_region": 404, **ARS_ONLY}),
    Route("GET", "/campaigns/<uuid:campaign_id>/attachments", "/campaigns/{campaign}/attachments",
          {"ars": 200, "ars_other_region": 404, **ARS_ONLY}),
    Route("GET", "/contracts/<uuid:contract_id>/attachments", "/contracts/{contract}/attachments", READ),
    Route("GET", "/campaigns/<uuid:campaign_id>/figures", "/campaigns/{campaign}/figures",
          {"ars": 200, "ars_other_region": 404, **ARS_ONLY}),
    # « Réattribuer » a grey indicator: the EJ's Administrateur only (ej_member). Tried on an indicator that is not
    # restricted, so the world's grey indicators keep their holders for the other modules (the reassignment itself:
    # tests/e2e/test_restricted_indicators.py)
    Route("PUT", "/contracts/<uuid:contract_id>/restrictions/<code>/holders",
          "/contracts/{contract}/restrictions/ACC01/holders",
          {"ej_member": (404, "not_restricted"), "ej_collaborator": (403, "not_administrateur"),
           "ars": (403, "not_administrateur"), **STRANGERS},
          send=lambda w: {"json": {"user_ids": [w.user_ids["ej_collaborator"]]}}),
    # « Messages »: whoever reads the contract; the ARS's private note is « introuvable » to the EJ
    Route("GET", "/contracts/<uuid:scope_id>/messages", "/contracts/{contract}/messages", {
        "ej_member": SEES, "ej_collaborator": SEES, "ars": SEES, **STRANGERS}, listed="msg_contract", variants=[
            Variant("private note", "/contracts/{contract}/messages", {
                "ej_member": BLIND, "ej_collaborator": BLIND, "ars": SEES}, listed="note_contract")]),
    Route("POST", "/contracts/<uuid:scope_id>/messages", "/contracts/{contract}/messages", {
        "ej_member": 201, "ej_collaborator": 201, "ars": 201, **STRANGERS},
          send=lambda w: {"json": {"text": "Une question de la matrice"}}, variants=[
              Variant("private note", "/contracts/{contract}/messages", {
                  "ej_member": (403, "private_note_forbidden"), "ars": 201, "other_ej": 404},
                      send=lambda w: {"json": {"text": "Note de la matrice", "private": True}})]),
    Route("GET", "/contracts/<uuid:scope_id>/messages/<uuid:message_id>",
          "/contracts/{contract}/messages/{msg_contract}", READ, variants=[
              Variant("private note", "/contracts/{contract}/messages/{note_contract}", {
                  "ej_member": 404, "ej_collaborator": 404, "ars": 200, "other_ej": 404})]),
    Route("GET", "/territoire/clotures", "/territoire/clotures", {
        "ars": SEES, "ars_other_region": BLIND, **ARS_ONLY}, listed="closed"),
    # « Mes campagnes »: the ARS's region's campaigns only
    Route("GET", "/campaigns", "/campaigns", {"ars": SEES, "ars_other_region": BLIND, **ARS_ONLY},
          listed="campaign"),
    # issue 18: the caller's own draft (kept by those who may fill the indicator in), the ARS's « À suivre »
    Route("PUT", "/contracts/<uuid:contract_id>/indicators/<code>/draft",
          "/contracts/{contract}/indicators/ACC01/draft", ESTABLISHMENT_WRITE,
          send=lambda w: {"json": {"answers": {"REALISE": "12"}, "comment": "en cours"}}),
    # SOI01: no row of the matrix drafts it, so a member finds no draft of theirs (404), as a stranger no contract
    Route("GET", "/contracts/<uuid:contract_id>/indicators/<code>/draft",
          "/contracts/{contract}/indicators/SOI01/draft",
          {"ej_member": 404, "ej_collaborator": 404, "ars": 404, **STRANGERS}),
    Route("DELETE", "/contracts/<uuid:contract_id>/indicators/<code>/draft",
          "/contracts/{contract}/indicators/SOI01/draft",
          {"ej_member": 204, "ej_collaborator": 204, "ars": 204, **STRANGERS}),
    Route("PUT", "/contracts/<uuid:contract_id>/indicators/<code>/flag",
          "/contracts/{contract}/indicators/ACC01/flag",
          {"ars": 200, "ars_other_region": 404, "ej_collaborator": 403, **ARS_ONLY},
          send=lambda w: {"json": {"note": "À vérifier avec l'EJ"}}),
    Route("DELETE", "/contracts/<uuid:contract_id>/indicators/<code>/flag",
          "/contracts/{contract}/indicators/SOI01/flag",
          {"ars": 204, "ars_other_region": 404, "ej_collaborator": 403, **ARS_ONLY}),
    Route("GET", "/campaigns/<uuid:campaign_id>/flags", "/campaigns/{campaign}/flags",
          {"ars": 200, "ars_other_region": 404, **ARS_ONLY}),
    # the closing's receipt (read by reporting for the PDF): as the contract, once closed
    Route("GET", "/contracts/<uuid:contract_id>/receipt", "/contracts/{closed}/receipt", READ, variants=[
        Variant("entry open", "/contracts/{contract}/receipt", {"ej_member": 404, "ars": 404, "other_ej": 404})]),
]


w, test_every_route_of_the_service_has_access_rows, test_access, test_bad_token_is_refused = matrix_tests(
    {SERVICE: ROUTES})
