"""OpenAPI description of the contracts service's routes (served at /openapi.json, see ecars_common/openapi.py)."""

from ecars_common import messaging
from ecars_common.openapi import (
                                  BOOL,
                                  DATE,
                                  INT,
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
                                  string,
)
from services.contracts import campaign_openapi, entry_openapi, export_openapi, progress
from services.contracts.domain import MAX_TEXT

NUMBER = {"type": "number"}
EJ = obj({"finess": TEXT, "raison_sociale": TEXT, "adresse": nullable(TEXT), "telephone": nullable(TEXT)},
         ["finess", "raison_sociale"])
CAMPAIGN = obj({"id": UUID, "name": TEXT, "evaluated_year": INT, "region": TEXT}, ["id", "name", "evaluated_year"])
SUMMARY = {"id": UUID, "name": TEXT, "status": TEXT, "entry_open": BOOL, "review": nullable(TEXT), "version": INT,
           "receipt_hash": nullable(TEXT), "ej": EJ, "campaign": CAMPAIGN}
CONTRACT = obj({**SUMMARY, "fill_percentage": NUMBER, "editable": BOOL,
                "indicators": array(obj({"code": TEXT, "label": TEXT, "category": TEXT, "dot": TEXT,
                                         "hidden": BOOL, "filled": BOOL, "restricted": BOOL,
                                         "unanswered": array(TEXT),
                                         "holders": array(TEXT)}, ["code", "label", "hidden"])),
                "can_reassign": BOOL, "collaborators": array(obj({"user_id": UUID, "email": TEXT}))},
               ["id", "name", "status", "version", "ej", "campaign", "fill_percentage", "editable", "indicators"])
HISTORY_ITEM = obj({"id": INT, "at": TEXT, "by": nullable(TEXT), "field": TEXT, "label": TEXT,
                    "indicator_code": nullable(TEXT), "indicator_label": nullable(TEXT), "old": {}, "new": {},
                    "reason": nullable(TEXT)}, ["id", "at", "field", "label"])
INDICATOR = obj({"contract": obj(SUMMARY, ["id", "name", "status"]), "code": TEXT, "label": TEXT, "category": TEXT,
                 "dot": TEXT, "comment_label": TEXT, "editable": BOOL, "version": INT, "comment": nullable(TEXT),
                 "questions": array(obj({"code": TEXT, "label": TEXT, "kind": TEXT}, ["code", "label", "kind"])),
                 "documents": array(obj()),
                 "audit": array(obj({"at": TEXT, "by": nullable(TEXT), "field": TEXT, "label": TEXT},
                                    ["at", "field", "label"]))},
                ["contract", "code", "label", "version", "questions", "documents", "audit"])
STATUS = obj({"status": TEXT}, ["status"])
RECEIPT = obj({"kind": TEXT, "contract_id": UUID, "name": TEXT, "ej": EJ, "context": TEXT,
               "by": nullable(TEXT), "at": TEXT, "fill_percentage": INT, "hash": TEXT,
               "attachments": array(obj({"where": TEXT, "name": TEXT, "sha256": TEXT}, ["where", "name", "sha256"]))},
              ["kind", "contract_id", "name", "ej", "by", "at", "fill_percentage", "hash", "attachments"])
TEMPLATE = obj({"indicators": array(obj())}, ["indicators"])

# a cursor as the list gives it (base64url): a longer or other text never reaches the service (414 at 4,094 bytes)
CURSOR = string(1000, pattern="^[A-Za-z0-9_=-]+$")

PATHS = {
    "/ej": {"get": operation(
        "« Gestion des contrats » : les EJ de l'utilisateur qui ont des contrats, 20 par page.",
        returns=obj({"items": array(obj({"ej_finess": TEXT, "ej_raison_sociale": TEXT}, ["ej_finess"])),
                     "page": INT, "pages": INT, "total": INT}, ["items", "page", "pages", "total"]),
        errors=[422],
        parameters=[query("sort", string(enum=["raison_sociale", "adresse", "telephone", "-raison_sociale",
                                               "-adresse", "-telephone"])),
                    query("page", string(pattern="^[0-9]+$"), description="entier ≥ 1")])},
    "/ej/<finess>/contracts": {"get": operation(
        "« LISTE DES CONTRATS » d'un EJ : ceux que l'appelant peut ouvrir.",
        returns=items_of(obj({"id": UUID, "name": TEXT, "status": TEXT, "campaign": TEXT, "evaluated_year": INT,
                              "fill_percentage": NUMBER}, ["id", "name", "status"])))},
    "/contracts/<uuid:contract_id>": {"get": operation(
        "Le formulaire du contrat : bandeau (statut, % de remplissage) et chaque indicateur avec sa pastille.",
        returns=CONTRACT, errors=[403])},
    "/contracts/<uuid:contract_id>/indicators/<code>": {
        "get": operation("Un indicateur « sous le contrat » : réponses, commentaire, documents, historique.",
                         returns=INDICATOR, errors=[403]),
        "put": operation(
            "« Enregistrer » : les réponses de l'indicateur, à la version lue (409 si elle a changé).",
            returns=obj({"version": INT, "dot": TEXT, "changed": array(TEXT)}, ["version", "dot", "changed"]),
            errors=[403, 409, 422],
            body=json_body(obj({"version": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
                                "answers": obj(), "comment": string(MAX_TEXT)}, ["version"]))),
    },
    "/contracts/<uuid:contract_id>/close": {"post": operation(
        "« Clore la saisie » : le contrat passe en consultation, avec son récépissé.",
        returns=obj({"status": TEXT, "receipt_hash": TEXT}, ["status", "receipt_hash"]), errors=[403, 409, 422])},
    "/contracts/<uuid:contract_id>/receipt": {"get": operation(
        "L'accusé de clôture de la saisie : qui, quand, remplissage, empreinte, chaque pièce jointe et son sha256 "
        "(404 tant que la saisie n'est pas close).", returns=RECEIPT, errors=[404])},
    "/contracts/<uuid:contract_id>/history": {"get": operation(
        "« Historique du contrat » : chaque modification (réponses, statut, revue, échéance, relances, messages "
        "échangés), la plus récente d'abord, 50 par page ; sans les indicateurs masqués pour l'appelant ni, pour "
        "l'établissement, les notes « À suivre » de l'ARS.",
        parameters=[query("before", string(max_length=19, pattern="^[0-9]+$"),
                          description="l'id de la dernière ligne affichée (next_before de la page précédente)")],
        returns=obj({"items": array(HISTORY_ITEM), "next_before": nullable(INT)}, ["items", "next_before"]),
        errors=[422])},
    "/contracts/<uuid:contract_id>/export": {"get": operation(
        "Tout ce qu'imprime « EDITER LES DONNEES » (lu par le service reporting) : le contrat, ses indicateurs et les "
        "messages échangés (jamais une note privée).",
        returns=obj({**CONTRACT["properties"], "messages": array(messaging.MESSAGE)}, CONTRACT["required"]),
        errors=[403])},
    "/campaigns": {"get": campaign_openapi.CAMPAIGN_LIST, "post": operation(
        "Créer une campagne et sa trame d'indicateurs (ARS).", status=201,
        returns=obj({"id": UUID, "name": TEXT, "evaluated_year": INT, "region": TEXT, "indicators": INT},
                    ["id", "name", "evaluated_year", "region", "indicators"]),
        errors=[403, 422],
        body=json_body(obj({"name": string(200), "evaluated_year": {"type": "integer", "minimum": 2000,
                                                                     "maximum": 2100},
                            "starts_on": DATE, "ends_on": DATE, "region": string(100), "template": TEMPLATE,
                            **campaign_openapi.CALENDAR["properties"]},
                           ["name", "evaluated_year", "starts_on", "ends_on", "region", "template"])))},
    "/campaigns/template": {"post": operation(
        "Lire une trame d'indicateurs (classeur .xlsx brut ou document JSON) : la trame en JSON, ou chaque erreur.",
        returns=obj({"template": TEMPLATE, "indicators": INT}, ["template", "indicators"]),
        errors=[403, 413, 422],
        body={"required": True, "content": {
            "application/json": {"schema": TEMPLATE},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": string(format="binary")}}})},
    "/campaigns/<uuid:campaign_id>/progress": {"get": operation(
        "« Suivi des contrats » : une page (20) des contrats de la campagne, filtrés et triés, avec les totaux.",
        returns=obj({"campaign": obj({"id": UUID, "name": TEXT, "evaluated_year": INT}),
                     "contracts": array(obj({"id": UUID, "name": TEXT, "ej_finess": TEXT, "ej_raison_sociale": TEXT,
                                             "ej_departement": TEXT, "status": TEXT, "review": nullable(TEXT),
                                             "fill_percentage": NUMBER}, ["id", "name", "status"])),
                     "page": INT, "pages": INT, "per_page": INT, "total": INT, "next": nullable(TEXT),
                     "previous": nullable(TEXT), "last": nullable(TEXT), "sort": TEXT, "filters": obj(),
                     "totals": obj({"contracts": INT, "by_status": obj(), "complete": INT, "average_fill": INT},
                                   ["contracts", "by_status"])},
                    ["campaign", "contracts", "page", "pages", "total", "totals"]),
        errors=[403, 422],
        parameters=[query("page", string(pattern="^[0-9]+$"), description="entier ≥ 1 (les premières pages)"),
                    query("cursor", CURSOR, description="la page suivante, précédente ou la dernière : le "
                          "curseur next, previous ou last d'une réponse pour le même tri et les mêmes critères"),
                    query("sort", string(enum=[f"{d}{k}" for k in progress.SORTS for d in ("", "-")])),
                    query("status", string(enum=list(progress.STATUSES))),
                    query("fill_min", string(pattern="^[0-9]+$"), description="% de remplissage minimal (0 à 100)"),
                    query("fill_max", string(pattern="^[0-9]+$"), description="% de remplissage maximal (0 à 100)"),
                    query("departement", string(pattern=progress.DEPARTEMENT.pattern)),
                    query("search", string(100), description="nom de l'EJ ou FINESS, ou une partie")])},
    "/campaigns/<uuid:campaign_id>/contracts": {"post": operation(
        "Créer le contrat d'un EJ dans la campagne (ARS).", status=201,
        returns=obj({"id": UUID, "name": TEXT, "ej_finess": TEXT}, ["id", "name", "ej_finess"]),
        errors=[403, 409, 422],
        body=json_body(obj({"name": string(300), "ej_finess": string(9), "ej_raison_sociale": string(300),
                            "ej_adresse": string(300), "ej_telephone": string(30), "referent_email": string(254)},
                           ["name", "ej_finess", "ej_raison_sociale"])))},
    "/contracts/<uuid:contract_id>/restrictions/<code>": {"put": operation(
        "Réserver un indicateur à des utilisateurs ou des rôles (ARS).",
        returns=obj({"indicator_code": TEXT, "roles": array(TEXT), "user_ids": array(TEXT), "hidden": BOOL},
                    ["indicator_code"]),
        errors=[403, 409, 422],
        body=json_body(obj({"roles": array(string(100, minLength=1)), "user_ids": array(string(100, minLength=1)),
                            "hidden": BOOL})))},
    "/contracts/<uuid:contract_id>/restrictions/<code>/holders": {"put": operation(
        "Réattribuer un indicateur à accès restreint à des collaborateurs de l'EJ (Administrateur de l'EJ).",
        returns=obj({"indicator_code": TEXT, "holders": array(TEXT)}, ["indicator_code", "holders"]),
        errors=[403, 404, 409, 422],
        body=json_body(obj({"user_ids": array(string(100, minLength=1))}, ["user_ids"])))},
    "/contracts/<uuid:contract_id>/accept": {"post": operation(
        "Accepter l'auto-évaluation close (ARS).", returns=STATUS, errors=[403, 409])},
    "/contracts/<uuid:contract_id>/reopen": {"post": operation(
        "Rouvrir la saisie, avec un motif (ARS).", returns=STATUS, errors=[403, 409, 422],
        body=json_body(obj({"reason": string(2000)}, ["reason"])))},
    "/territoire/clotures": {"get": operation(
        "Les auto-évaluations closes de la région de l'appelant, les plus récentes d'abord (ARS).",
        returns=items_of(obj({"contract_id": UUID, "contract_name": TEXT, "closed_at": TEXT, "receipt_hash": TEXT,
                              "status": TEXT}, ["contract_id", "contract_name", "closed_at"])),
        errors=[403])},
}

PATHS |= campaign_openapi.PATHS | export_openapi.PATHS | entry_openapi.PATHS
PATHS |= messaging.openapi_paths("/contracts/<uuid:scope_id>", "du contrat")

DOCUMENT = document("contracts", PATHS, habilitations=True,
                    description="Campagnes d'auto-évaluation, contrats et saisie des indicateurs.")
