"""Access matrix of the cpom service: every route, each caller by its relation to the CPOM (competence
« Conjointe », département 22, ETs in Bretagne; tests/support/access.py), and the bad tokens. A CPOM or EJ
the caller may not see is 404; an action their role may not do on a CPOM they see is 403
(services/cpom/access.py). Grid writes go to a scratch CPOM of the same EJ so the main one stays complete."""


from tests.conftest import unique
from tests.support import cpom as cpom_support
from tests.support.access import (
    BLIND,
    SEES,
    Route,
    Variant,
    code,
    matrix_tests,
    service_routes,
)

SERVICE = "cpom"
STRANGERS = {"other_ej": 404, "ars_other_region": 404, "cd_other_dept": 404, "support": 404}
READ = {"ej_member": 200, "ej_collaborator": 200, "ars": 200, "cd": 200, **STRANGERS}
MANAGE = {"ej_member": 403, "ej_collaborator": 403, "ars": 200, "cd": 200, **STRANGERS}  # « modifier »
CREATE = {**MANAGE, "ars": 201, "cd": 201}
FILL = {"ej_member": 200, "ej_collaborator": 200, "ars": 403, "cd": 403, **STRANGERS}  # « saisir »
AUTHORITIES_ONLY = {"ej_member": 403, "other_ej": 403, "support": 403}


def org_csv(w):
    finess = cpom_support.new_finess("22")
    et = cpom_support.new_finess("22")
    text = ("type;finess;nom;adresse;telephone;finess_ej;region;domaine\n"
            f"EJ;{finess};EJ MATRICE {finess};1 RUE DU TEST 22000 VILLE;0296000000;;;\n"
            f"ET;{et};ET DE {finess};2 AV DES TESTS;;{finess};Bretagne;Médico-social\n")
    return {"content": text.encode(), "headers": {"Content-Type": "text/csv"}}


def cpom_body(w):
    return {"json": {"nom": unique("CPOM MATRICE"), "ej_finess": w.ids["finess"], "competence": "Conjointe",
                     "departements": ["22"]}}


def fresh_cpom(w):
    """PUT /grille replaces the whole grid: a CPOM of its own for each row."""
    return f"/cpoms/{w.new_cpom(w.org)}/grille"


def grid_body(w):
    return {"json": cpom_support.grid_document(w.ids["org_ets"])}


def indicateur_body(_w):
    return {"json": {"code": code(), "libelle": "Indicateur matrice", "type": "quantitatif",
                     "categorie": "accompagnement", "declinaison": "cpom"}}


ROUTES = service_routes(SERVICE) + [
    Route("GET", "/referentiels", "/referentiels", {caller: 200 for caller in READ}),
    Route("POST", "/organisations/import", "/organisations/import", {
        "ars": 200, "cd": 200, "ej_member": 403, "other_ej": 403, "support": 403}, send=org_csv),
    # the home list is paged; an authority of a busy test region may not find this EJ on page 1: status only
    Route("GET", "/ej", "/ej", {"ej_member": SEES, "ej_collaborator": SEES, "other_ej": BLIND, "ars": 200,
                               "ars_other_region": BLIND, "cd": 200, "cd_other_dept": BLIND, "support": BLIND},
          listed="finess"),
    Route("GET", "/ej/<finess>", "/ej/{finess}", READ),
    Route("POST", "/cpoms", "/cpoms", {"ars": 201, "cd": 201, "ars_other_region": (422, "validation_failed"),
                                       "cd_other_dept": 422, "ej_member": 403, "support": 403}, send=cpom_body),
    Route("GET", "/cpoms/<uuid:cpom_id>", "/cpoms/{cpom}", READ),
    Route("PATCH", "/cpoms/<uuid:cpom_id>", "/cpoms/{scratch}", MANAGE,
          send=lambda w: {"json": {"nom": unique("CPOM MATRICE")}}),
    Route("POST", "/cpoms/<uuid:cpom_id>/statut", "/cpoms/{cpom}/statut",
          {**MANAGE, "ars": (409, "transition_refused"), "cd": 409}, send=lambda w: {"json": {"statut": "suivi"}}),
    Route("POST", "/cpoms/<uuid:cpom_id>/validation", "/cpoms/{cpom}/validation", {**MANAGE, "cd": 403},
          send=lambda w: {"json": {"autorite": "ARS", "valide": False}}),
    Route("PUT", "/cpoms/<uuid:cpom_id>/equipe", "/cpoms/{cpom}/equipe",
          {**READ}, send=lambda w: {"json": {"etablissement": w.team["etablissement"]}},
          variants=[Variant("the authorities' team", "/cpoms/{cpom}/equipe", {**MANAGE, "ars": 200},
                            send=lambda w: {"json": {"referent": w.team["referent"]}})]),
    Route("PUT", "/cpoms/<uuid:cpom_id>/etablissements", "/cpoms/{cpom}/etablissements", MANAGE,
          send=lambda w: {"json": {"etablissements": w.ids["org_ets"]}}),
    Route("POST", "/cpoms/<uuid:cpom_id>/avenants", "/cpoms/{scratch}/avenants", CREATE,
          send=lambda w: {"json": {"date": "2024-01-01", "objet": "Avenant matrice"}}),
    Route("GET", "/cpoms/<uuid:cpom_id>/journal", "/cpoms/{cpom}/journal", {**MANAGE}),
    Route("GET", "/cpoms/<uuid:cpom_id>/grille", "/cpoms/{cpom}/grille", READ),
    Route("PUT", "/cpoms/<uuid:cpom_id>/grille", fresh_cpom, MANAGE, send=grid_body),
    Route("POST", "/cpoms/<uuid:cpom_id>/axes", "/cpoms/{scratch}/axes", CREATE,
          send=lambda w: {"json": {"code": code(), "libelle": "Axe matrice"}}),
    Route("POST", "/cpoms/<uuid:cpom_id>/axes/<uuid:axe_id>/objectifs", "/cpoms/{scratch}/axes/{scratch_A1}/objectifs",
          CREATE, send=lambda w: {"json": {"code": code(), "libelle": "Objectif matrice"}}),
    Route("GET", "/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>", "/cpoms/{cpom}/objectifs/{cpom_O1}", READ),
    Route("PATCH", "/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>", "/cpoms/{scratch}/objectifs/{scratch_O1}",
          MANAGE, send=lambda w: {"json": {"libelle": "Objectif renommé"}}),
    Route("PUT", "/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>/saisie",
          "/cpoms/{cpom}/objectifs/{cpom_O1}/saisie", FILL, send=lambda w: {"json": {"actions": ["Action pour O1"]}}),
    Route("POST", "/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>/actions",
          "/cpoms/{scratch}/objectifs/{scratch_O3}/actions", {**FILL, "ej_member": 201, "ej_collaborator": 201},
          send=lambda w: {"json": {"libelle": "Action matrice"}}),
    Route("POST", "/cpoms/<uuid:cpom_id>/objectifs/<uuid:objectif_id>/indicateurs",
          "/cpoms/{scratch}/objectifs/{scratch_O3}/indicateurs", CREATE, send=indicateur_body),
    Route("GET", "/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>",
          "/cpoms/{cpom}/indicateurs/{cpom_COOP_1}", READ),
    Route("PATCH", "/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>",
          "/cpoms/{scratch}/indicateurs/{scratch_COOP_1}", MANAGE,
          send=lambda w: {"json": {"libelle": "Partenariats (matrice)"}}),
    Route("PUT", "/cpoms/<uuid:cpom_id>/indicateurs/<uuid:indicateur_id>/valeurs",
          "/cpoms/{cpom}/indicateurs/{cpom_COOP_1}/valeurs", FILL,
          send=lambda w: {"json": {"valeurs": [{"valeur": "CH de Dinan"}]}}),
    # each row deletes an axe made for it
    Route("DELETE", "/cpoms/<uuid:cpom_id>/<any(axes, objectifs, indicateurs):kind>/<uuid:item_id>",
          lambda w: f"/cpoms/{w.ids['scratch']}/axes/{w.fresh_axe()}", {**MANAGE, "ars": 204, "cd": 204}),
    Route("GET", "/cpoms/<uuid:cpom_id>/remarques", "/cpoms/{cpom}/remarques", READ),
    Route("POST", "/cpoms/<uuid:cpom_id>/remarques", "/cpoms/{cpom}/remarques",
          {caller: 201 if status == 200 else status for caller, status in READ.items()},
          send=lambda w: {"json": {"texte": "Remarque de la matrice d'accès"}}),
    Route("GET", "/cpoms/<uuid:cpom_id>/completude", "/cpoms/{cpom}/completude", READ),
    # 201 a new version, or 409 « unchanged » when no row before changed the CPOM: access was granted either way
    Route("POST", "/cpoms/<uuid:cpom_id>/transmissions", "/cpoms/{cpom}/transmissions",
          {**FILL, "ej_member": (201, 409), "ej_collaborator": (201, 409)}),
    Route("GET", "/cpoms/<uuid:cpom_id>/transmissions", "/cpoms/{cpom}/transmissions", READ),
    Route("GET", "/cpoms/<uuid:cpom_id>/transmissions/<int:version>", "/cpoms/{cpom}/transmissions/1", READ),
    Route("GET", "/cpoms/<uuid:cpom_id>/transmissions/<int:version>/receipt",
          "/cpoms/{cpom}/transmissions/1/receipt", READ),
    Route("GET", "/cpoms/<uuid:cpom_id>/export", "/cpoms/{cpom}/export", READ),
    # « Messages »: whoever sees the CPOM; the authorities' private note is « introuvable » to the EJ
    Route("GET", "/cpoms/<uuid:scope_id>/messages", "/cpoms/{cpom}/messages", {
        "ej_member": SEES, "ej_collaborator": SEES, "ars": SEES, "cd": SEES, **STRANGERS}, listed="msg_cpom",
          variants=[Variant("private note", "/cpoms/{cpom}/messages", {
              "ej_member": BLIND, "ej_collaborator": BLIND, "ars": SEES, "cd": SEES}, listed="note_cpom")]),
    Route("POST", "/cpoms/<uuid:scope_id>/messages", "/cpoms/{cpom}/messages", {
        "ej_member": 201, "ej_collaborator": 201, "ars": 201, "cd": 201, **STRANGERS},
          send=lambda w: {"json": {"text": "Une question de la matrice"}}, variants=[
              Variant("private note", "/cpoms/{cpom}/messages", {
                  "ej_member": (403, "private_note_forbidden"), "cd": 201, "other_ej": 404},
                      send=lambda w: {"json": {"text": "Note de la matrice", "private": True}})]),
    Route("GET", "/cpoms/<uuid:scope_id>/messages/<uuid:message_id>", "/cpoms/{cpom}/messages/{msg_cpom}", READ,
          variants=[Variant("private note", "/cpoms/{cpom}/messages/{note_cpom}", {
              "ej_member": 404, "ej_collaborator": 404, "ars": 200, "cd": 200, "other_ej": 404})]),
    Route("GET", "/territoire/transmissions", "/territoire/transmissions", {
        "ars": SEES, "cd": SEES, "ars_other_region": BLIND, "cd_other_dept": BLIND, **AUTHORITIES_ONLY},
        listed="cpom", variants=[Variant("CPOM of the same EJ for another département", "/territoire/transmissions",
                                         {"ars": SEES, "cd": BLIND}, listed="cpom35")]),
    # the file names the EJ's FINESS on each of its CPOM's rows
    Route("GET", "/territoire/grilles/export", "/territoire/grilles/export?format=csv", {
        "ars": SEES, "cd": SEES, "ars_other_region": BLIND, "cd_other_dept": BLIND, **AUTHORITIES_ONLY},
        listed="finess"),
]


w, test_every_route_of_the_service_has_access_rows, test_access, test_bad_token_is_refused = matrix_tests(
    {SERVICE: ROUTES})
