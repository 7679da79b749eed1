"""OpenAPI description of the cpom service's routes (served at /openapi.json, see ecars_common/openapi.py).
The bodies are described in docs/cpom.md; fields the code refuses when unknown have additionalProperties false."""

from ecars_common import messaging, table_files
from ecars_common.openapi import (
                                  BOOL,
                                  DATE,
                                  INT,
                                  MESSAGE,
                                  TEXT,
                                  UUID,
                                  array,
                                  document,
                                  items_of,
                                  json_body,
                                  nullable,
                                  obj,
                                  operation,
                                  query,
                                  raw_body,
                                  string,
)
from services.cpom import domain, forms, grid_building

CODE = string(40)
LABEL = string(domain.MAX_LABEL)
LONG_TEXT = string(domain.MAX_LONG_TEXT)
LABELLED = obj({"code": TEXT, "libelle": TEXT}, ["code", "libelle"])
RIGHTS = obj(additionalProperties=BOOL)
MEMBER = obj({"nom_complet": string(200), "fonction": string(200), "telephone": string(30),
              "telephone_mobile": string(30), "courriel": string(254)}, ["nom_complet"], additionalProperties=False)
TEAM = obj({"referent": nullable(MEMBER), "co_referent": nullable(MEMBER), "autorites": array(MEMBER),
            "etablissement": array(MEMBER)}, additionalProperties=False)
PLANNING = obj({key: nullable(TEXT if key != "annee_dialogue_gestion" else INT) for key, _ in domain.PLANNING},
               additionalProperties=False)
FINESS_LIST = array(string(9))
SHEET = obj({"id": UUID, "nom": TEXT, "ej": obj({"finess": TEXT, "raison_sociale": TEXT}, ["finess"]),
             "statut": obj({"code": string(enum=list(domain.PHASE_CODES)), "libelle": TEXT, "rang": INT},
                           ["code", "libelle", "rang"]),
             "statuts": array(obj({"code": TEXT, "accessible": BOOL}, ["code", "accessible"])),
             "competence": string(enum=list(domain.COMPETENCES)), "departements": array(TEXT), "cree_le": TEXT,
             "planning": obj(), "validation": obj(), "equipe": obj(), "etablissements": array(obj()),
             "avenants": array(obj({"id": UUID, "numero": INT, "date": nullable(TEXT), "objet": TEXT},
                                   ["id", "numero"])),
             "derniere_transmission": nullable(obj({"version": INT}, ["version"])), "droits": RIGHTS},
            ["id", "nom", "ej", "statut", "statuts", "competence", "departements", "planning", "validation",
             "equipe", "etablissements", "avenants", "derniere_transmission", "droits"])
GRID = obj({"axes": array(obj({"id": UUID, "code": TEXT, "libelle": TEXT, "objectifs": array(obj(
                {"id": UUID, "code": TEXT, "libelle": TEXT, "nb_actions": INT, "complet": BOOL,
                 "indicateurs": array(obj({"id": UUID, "code": TEXT, "type": LABELLED}, ["id", "code"]))},
                ["id", "code", "libelle", "indicateurs"]))}, ["id", "code", "libelle", "objectifs"])),
            "remarques": array(obj()), "manquants": array(obj()), "complet": BOOL, "droits": RIGHTS},
           ["axes", "remarques", "manquants", "complet", "droits"])
OBJECTIF = obj({"id": UUID, "code": TEXT, "libelle": TEXT, "description": nullable(TEXT), "hierarchie": array(obj()),
                "perimetre": obj({"tous": BOOL}, ["tous"]), "indicateurs": array(obj()),
                "option_og": obj({"active": BOOL, "elements": array(TEXT), "element_selectionne": nullable(TEXT)}),
                "actions": array(obj()), "max_actions": INT, "droits": RIGHTS},
               ["id", "code", "libelle", "hierarchie", "perimetre", "indicateurs", "option_og", "actions", "droits"])
INDICATEUR = obj({"id": UUID, "code": TEXT, "libelle": TEXT, "objectif": obj({"id": UUID}, ["id"]),
                  "type": LABELLED, "categorie": LABELLED, "declinaison": LABELLED, "indications": nullable(TEXT),
                  "regles": obj(), "regles_texte": TEXT,
                  "valeurs": array(obj({"etablissement": nullable(obj()), "renseignee": BOOL})), "droits": RIGHTS},
                 ["id", "code", "libelle", "objectif", "type", "categorie", "declinaison", "valeurs", "droits"])
AXE_FIELDS = {"code": CODE, "libelle": LABEL}
OBJECTIF_FIELDS = {**AXE_FIELDS, "description": LONG_TEXT,
                   "perimetre": {"oneOf": [string(enum=["tous"]), FINESS_LIST]},
                   "elements_og": array(string(200), maxItems=domain.MAX_ELEMENTS_OG)}
INDICATEUR_FIELDS = {**AXE_FIELDS, "type": string(enum=[c for c, _ in domain.INDICATOR_TYPES]),
                     "categorie": string(enum=[c for c, _ in domain.CATEGORIES]),
                     "declinaison": string(enum=[c for c, _ in domain.DECLINAISONS]), "indications": LONG_TEXT,
                     "regles": obj({"entier": BOOL, "minimum": {"type": "number"}, "maximum": {"type": "number"},
                                    "unite": string(30), "partie_d_un_tout": BOOL})}
GRID_DOCUMENT = obj({"axes": array(obj({**AXE_FIELDS, "objectifs": array(obj({
    **OBJECTIF_FIELDS, "indicateurs": array(obj(INDICATEUR_FIELDS, ["code", "libelle", "type", "categorie",
                                                                    "declinaison"]))}, ["code", "libelle"]))},
    ["code", "libelle"]))}, ["axes"])
REMARK = obj({"id": UUID, "texte": TEXT, "auteur": TEXT, "role": TEXT, "le": TEXT}, ["id", "texte"])
TRANSMISSION = obj({"version": INT, "transmitted_at": TEXT}, ["version"])
CPOM = "/cpoms/<uuid:cpom_id>"
# what every CPOM route may answer besides its own: 403 (not allowed to do this on this CPOM)
SEEN = [403]

# a cursor as the list gives it (base64url): a longer or other text never reaches the service (414 at 4,094 bytes)
CURSOR = string(1000, pattern="^[A-Za-z0-9_=-]+$")

PATHS = {
    "/referentiels": {"get": operation(
        "Les listes que proposent les formulaires, avec leurs libellés.",
        returns=obj({"statuts": array(obj()), "competences": array(TEXT), "departements": array(TEXT),
                     "regions": array(TEXT), "planning": array(obj()), "types_indicateur": array(obj()),
                     "categories": array(obj()), "declinaisons": array(obj()), "max_actions": INT,
                     "colonnes_csv": array(TEXT)}, ["statuts", "competences", "departements", "regions"]))},
    "/organisations/import": {"post": operation(
        "Import des organisations (CSV brut) : toutes les lignes ou aucune, chaque ligne en erreur nommée.",
        returns=obj({"message": TEXT, "lignes": INT}, ["message", "lignes"]), errors=[403, 413, 422],
        body=raw_body("text/csv", schema=string()))},
    "/ej": {"get": operation(
        "« Gestion des Contrats » : les EJ visibles (référentiel, CPOM et contrats d'auto-évaluation), triés, 20 par "
        "page, chacun avec a_des_contrats et a_des_cpom.",
        returns=obj({"items": array(obj({"finess": TEXT, "a_des_contrats": BOOL, "a_des_cpom": BOOL},
                                        ["finess", "a_des_contrats", "a_des_cpom"])),
                     "page": INT, "pages": INT, "total": INT, "next": nullable(TEXT), "previous": nullable(TEXT),
                     "last": nullable(TEXT)},
                    ["items", "page", "pages", "next", "previous", "last"]),
        errors=[422],
        parameters=[query("sort", string(enum=[p + s for s in ("etablissement", "raison_sociale", "adresse",
                                                              "telephone") for p in ("", "-")])),
                    query("page", string(pattern="^[0-9]+$"), description="entier de 1 à 100000 (les premières pages)"),
                    query("cursor", CURSOR, description="la page suivante, précédente ou la dernière : le "
                          "curseur next, previous ou last d'une réponse pour le même tri et la même recherche"),
                    query("q", string(100), description="une partie du FINESS ou de la raison sociale")])},
    "/ej/<finess>": {"get": operation(
        "La page d'un EJ : ses ET et ses CPOM visibles.", returns=obj({"finess": TEXT}, ["finess"]))},
    "/cpoms": {"post": operation(
        "Créer un CPOM (ARS, CD, administrateur).", status=201, returns=SHEET, errors=[403, 409, 422],
        body=json_body(obj({"nom": string(forms.MAX_NAME), "ej_finess": string(9),
                            "competence": string(enum=list(domain.COMPETENCES)),
                            "departements": array(string(enum=list(domain.DEPARTEMENTS)), minItems=1),
                            "planning": PLANNING, "etablissements": FINESS_LIST, "equipe": TEAM},
                           ["nom", "ej_finess", "competence", "departements"], additionalProperties=False)))},
    CPOM: {
        "get": operation("La fiche du CPOM.", returns=SHEET, errors=SEEN),
        "patch": operation(
            "Modifier la fiche (nom, compétence, départements, planning).", returns=SHEET, errors=[403, 409, 422],
            body=json_body(obj({"nom": string(forms.MAX_NAME), "competence": string(enum=list(domain.COMPETENCES)),
                                "departements": array(string(enum=list(domain.DEPARTEMENTS)), minItems=1),
                                "planning": PLANNING}, additionalProperties=False))),
    },
    f"{CPOM}/statut": {"post": operation(
        "Passer à la phase suivante ou revenir à la précédente.", returns=SHEET, errors=[403, 409, 422],
        body=json_body(obj({"statut": string(enum=list(domain.PHASE_CODES)), "motif": string(1000)},
                           ["statut"])))},
    f"{CPOM}/validation": {"post": operation(
        "Validation du CPOM par une autorité (ARS ou CD).", returns=SHEET, errors=[403, 409, 422],
        body=json_body(obj({"autorite": string(enum=list(domain.AUTORITES)), "valide": BOOL},
                           ["autorite", "valide"])))},
    f"{CPOM}/equipe": {"put": operation(
        "L'Equipe Projet : les listes envoyées remplacent les actuelles.", returns=obj(), errors=[403, 422],
        body=json_body(TEAM))},
    f"{CPOM}/etablissements": {"put": operation(
        "Les ET du périmètre du CPOM (ET de son EJ).", returns=obj({"etablissements": array(obj())},
                                                                   ["etablissements"]),
        errors=[403, 409, 422], body=json_body(obj({"etablissements": FINESS_LIST}, ["etablissements"],
                                              additionalProperties=False)))},
    f"{CPOM}/avenants": {"post": operation(
        "Ajouter un avenant, numéroté 1, 2, …", status=201,
        returns=obj({"id": UUID, "numero": INT, "date": TEXT, "objet": TEXT}, ["id", "numero", "date", "objet"]),
        errors=[403, 422],
        body=json_body(obj({"date": DATE, "objet": string(2000)}, ["date", "objet"], additionalProperties=False)))},
    f"{CPOM}/journal": {"get": operation(
        "Le journal des modifications du CPOM (les 500 plus récentes d'abord), chacune nommée et résumée en français.",
        returns=items_of(obj({"le": TEXT, "action": TEXT, "libelle": TEXT, "resume": TEXT, "par": nullable(TEXT),
                              "role": nullable(TEXT), "details": obj()}, ["le", "action", "libelle", "resume"])),
        errors=SEEN)},
    f"{CPOM}/grille": {
        "get": operation("La grille des objectifs.", returns=GRID, errors=SEEN),
        "put": operation(
            "Importer la grille (document JSON) : elle remplace la grille actuelle.",
            returns={**GRID, "properties": {**GRID["properties"], "message": TEXT}}, errors=[403, 409, 422],
            body=json_body(GRID_DOCUMENT)),
    },
    f"{CPOM}/axes": {"post": operation(
        "Ajouter un axe.", status=201, returns=obj({"id": UUID, "code": TEXT, "libelle": TEXT},
                                                    ["id", "code", "libelle"]),
        errors=[403, 409, 422], body=json_body(obj(AXE_FIELDS, ["code", "libelle"])))},
    f"{CPOM}/axes/<uuid:axe_id>/objectifs": {"post": operation(
        "Ajouter un objectif à un axe.", status=201, returns=OBJECTIF, errors=[403, 409, 422],
        body=json_body(obj(OBJECTIF_FIELDS, ["code", "libelle"])))},
    f"{CPOM}/objectifs/<uuid:objectif_id>": {
        "get": operation("« Fiche Objectif ».", returns=OBJECTIF, errors=SEEN),
        "patch": operation("Modifier un objectif.", returns=OBJECTIF, errors=[403, 409, 422],
                           body=json_body(obj(OBJECTIF_FIELDS, additionalProperties=False))),
    },
    f"{CPOM}/objectifs/<uuid:objectif_id>/saisie": {"put": operation(
        "« Enregistrer » de l'organisme gestionnaire sur la fiche Objectif.", returns=OBJECTIF, errors=[403, 422],
        body=json_body(obj({"actions": array(LONG_TEXT, maxItems=domain.MAX_ACTIONS),
                            "element_selectionne_og": nullable(string(200))}, additionalProperties=False,
                           minProperties=1)))},
    f"{CPOM}/objectifs/<uuid:objectif_id>/actions": {"post": operation(
        "Ajouter une action (la sixième est refusée).", status=201,
        returns=obj({"numero": INT, "libelle": TEXT}, ["numero", "libelle"]), errors=[403, 422],
        body=json_body(obj({"libelle": LONG_TEXT}, ["libelle"], additionalProperties=False)))},
    f"{CPOM}/objectifs/<uuid:objectif_id>/indicateurs": {"post": operation(
        "Ajouter un indicateur à un objectif.", status=201, returns=INDICATEUR, errors=[403, 409, 422],
        body=json_body(obj(INDICATEUR_FIELDS, ["code", "libelle", "type", "categorie", "declinaison"])))},
    f"{CPOM}/indicateurs/<uuid:indicateur_id>": {
        "get": operation("« Fiche indicateur ».", returns=INDICATEUR, errors=SEEN),
        "patch": operation("Modifier un indicateur.", returns=INDICATEUR, errors=[403, 409, 422],
                           body=json_body(obj({k: INDICATEUR_FIELDS[k] for k in grid_building.INDICATEUR_COLUMNS},
                                              additionalProperties=False))),
    },
    f"{CPOM}/indicateurs/<uuid:indicateur_id>/valeurs": {"put": operation(
        "Les valeurs de l'indicateur, par ET ou pour le CPOM.", returns=INDICATEUR, errors=[403, 422],
        body=json_body(obj({"valeurs": array(obj({"etablissement": nullable(string(9))}))}, ["valeurs"],
                           additionalProperties=False)))},
    f"{CPOM}/<any(axes, objectifs, indicateurs):kind>/<uuid:item_id>": {"delete": operation(
        "Supprimer un axe, un objectif ou un indicateur, avec ce qui en dépend.", status=204, errors=[403])},
    f"{CPOM}/remarques": {
        "get": operation("Les « Remarques ».", returns=items_of(REMARK), errors=SEEN),
        "post": operation("Ajouter une remarque.", status=201, returns=REMARK, errors=[403, 422],
                          body=json_body(obj({"texte": LONG_TEXT}, ["texte"], additionalProperties=False))),
    },
    f"{CPOM}/completude": {"get": operation(
        "Ce qui reste à renseigner avant de transmettre.",
        returns=obj({"complet": BOOL, "manquants": array(obj())}, ["complet", "manquants"]), errors=SEEN)},
    f"{CPOM}/transmissions": {
        "post": operation(
            "« Transmettre les informations » aux autorités.", status=201,
            returns={**MESSAGE, "properties": {**MESSAGE["properties"], "version": INT}}, errors=[403, 409, 422]),
        "get": operation("Les transmissions du CPOM.", returns=items_of(TRANSMISSION), errors=SEEN),
    },
    f"{CPOM}/transmissions/<int:version>": {"get": operation("Une transmission.", returns=TRANSMISSION,
                                                             errors=SEEN)},
    f"{CPOM}/transmissions/<int:version>/receipt": {"get": operation(
        "L'accusé de transmission : qui, quand, remplissage, empreinte, chaque document des dossiers et son sha256.",
        returns=obj({"kind": TEXT, "cpom_id": TEXT, "version": INT, "name": TEXT, "ej": obj(), "context": TEXT,
                     "by": TEXT, "at": TEXT, "fill_percentage": INT, "hash": TEXT,
                     "attachments": array(obj({"where": TEXT, "name": TEXT, "sha256": TEXT}))},
                    ["kind", "version", "name", "by", "at", "hash", "attachments"]), errors=SEEN)},
    f"{CPOM}/export": {"get": operation(
        "Le CPOM tel qu'il est (instantané d'une transmission), lu par le service reporting, avec les messages "
        "échangés (jamais une note privée).",
        returns=obj({"cpom": obj({"nom": TEXT}, ["nom"]), "messages": array(messaging.MESSAGE)},
                    ["cpom", "messages"]), errors=SEEN)},
    "/territoire/transmissions": {"get": operation(
        "Les transmissions des CPOM du territoire de l'appelant (ARS : région, CD : département).",
        returns=items_of(obj({"cpom_id": UUID, "cpom_name": TEXT, "version": INT, "transmitted_at": TEXT,
                              "changes": INT, "ej_finess": TEXT}, ["cpom_id", "version", "transmitted_at"])),
        errors=[403])},
    "/territoire/grilles/export": {"get": operation(
        "Les grilles des CPOM du territoire de l'appelant (ARS : région, CD : département) en XLSX ou CSV : une ligne "
        "par CPOM, objectif, indicateur et établissement.", returns=string(format="binary"),
        media_type=table_files.XLSX_TYPE, errors=[403, 422], parameters=[query("format", string(enum=["xlsx", "csv"]))],
        headers={"Content-Disposition": string()})},
}
# XLSX or CSV, as ?format= asks: both media types are described.
PATHS["/territoire/grilles/export"]["get"]["responses"]["200"]["content"]["text/csv"] = {
    "schema": string(format="binary")}

PATHS |= messaging.openapi_paths("/cpoms/<uuid:scope_id>", "du CPOM")

DOCUMENT = document("cpom", PATHS, habilitations=True,
                    description="CPOM : organisations, fiche, grille des objectifs, remarques, transmissions.")
