"""OpenAPI description of campaign_api.py's routes (merged into openapi.py's PATHS)."""

from ecars_common.openapi import (
    BOOL,
    DATE,
    INT,
    TEXT,
    UUID,
    array,
    json_body,
    nullable,
    obj,
    operation,
    query,
    string,
)
from services.contracts import bulk_request, progress

REASON = string(2000, minLength=1)
CALENDAR = obj({"opens_on": nullable(DATE), "closes_on": nullable(DATE)})

FILTER = obj({"status": string(enum=list(progress.STATUSES)), "fill_min": INT, "fill_max": INT,
              "departement": string(pattern=progress.DEPARTEMENT.pattern), "search": string(100)})
CONTRACT_DONE = obj({"contract_id": UUID, "name": TEXT, "ej_finess": TEXT, "ej_raison_sociale": TEXT},
                    ["contract_id"])
CONTRACT_REFUSED = obj({"contract_id": UUID, "name": TEXT, "ej_finess": TEXT, "ej_raison_sociale": TEXT,
                        "code": TEXT, "reason": TEXT}, ["contract_id", "code", "reason"])

CAMPAIGN_LIST = operation(
    "« Mes campagnes » : les campagnes de la région de l'ARS (toutes pour un administrateur), les plus récentes "
    "d'abord, avec leur calendrier et le nombre de leurs contrats par statut (ARS).",
    returns=obj({"items": array(obj({
        "id": UUID, "name": TEXT, "evaluated_year": INT, "region": TEXT, "starts_on": DATE, "ends_on": DATE,
        "opens_on": nullable(DATE), "closes_on": nullable(DATE), "countdown": nullable(TEXT), "contracts": INT,
        "closed": INT, "accepted": INT, "in_progress": INT, "mean_fill_percentage": nullable(INT)},
        ["id", "name", "evaluated_year", "region", "contracts", "closed", "in_progress"]))}, ["items"]),
    errors=[403])

PATHS = {
    "/campaigns/<uuid:campaign_id>/calendar": {"put": operation(
        "Le calendrier de saisie de la campagne : dates d'ouverture et de clôture (ARS).",
        returns=obj({"id": UUID, "opens_on": nullable(DATE), "closes_on": nullable(DATE)}, ["id"]),
        errors=[403, 422], body=json_body(CALENDAR))},
    "/contracts/<uuid:contract_id>/deadline": {"post": operation(
        "Prolonger le délai de saisie d'un EJ : une date de clôture propre à ce contrat, avec un motif (ARS).",
        returns=obj({"closes_on": DATE, "previous_closes_on": nullable(DATE), "reopened": BOOL, "status": TEXT},
                    ["closes_on", "reopened", "status"]),
        errors=[403, 409, 422], body=json_body(obj({"closes_on": DATE, "reason": REASON}, ["closes_on", "reason"])))},
    "/campaigns/<uuid:campaign_id>/bulk": {"post": operation(
        "Action groupée sur des contrats de la campagne, choisis par leurs identifiants ou par des critères : "
        "relancer, accepter (les clos), rouvrir avec un motif, prolonger le délai (ARS). Chaque contrat une fois ; "
        "la réponse dit, contrat par contrat, ce qui a été fait et ce qui a été refusé, et pourquoi.",
        returns=obj({"action": TEXT, "selected": INT, "done": array(CONTRACT_DONE), "refused": array(CONTRACT_REFUSED),
                     "counts": obj({"done": INT, "refused": INT, "refused_by_code": obj()})},
                    ["action", "selected", "done", "refused", "counts"]),
        errors=[403, 422],
        body=json_body(obj({"action": string(enum=list(bulk_request.ACTIONS)),
                            "contract_ids": array(UUID, maxItems=bulk_request.MAX_IDS), "filter": FILTER,
                            "reason": REASON, "closes_on": DATE}, ["action"])))},
    "/campaigns/<uuid:campaign_id>/figures": {"get": operation(
        "Tableau de bord de la campagne : répartition des taux de remplissage, nombres par statut et par "
        "département, contrats proches de la clôture au remplissage faible (ARS).",
        returns=obj({"campaign": obj({"id": UUID, "name": TEXT}), "thresholds": obj(), "contracts": INT,
                     "average_fill": INT, "complete": INT, "by_status": obj(),
                     "fill_distribution": array(obj({"from": INT, "to": INT, "count": INT})),
                     "by_departement": array(obj({"ej_departement": TEXT, "contracts": INT, "average_fill": INT})),
                     "closing_soon": obj({"total": INT, "items": array(obj({"id": UUID, "closes_on": DATE,
                                                                             "days_left": INT}))})},
                    ["campaign", "contracts", "by_status", "fill_distribution", "by_departement", "closing_soon"]),
        errors=[403, 422],
        parameters=[query("within_days", string(pattern="^[0-9]+$"), description="clôture dans au plus N jours (14)"),
                    query("fill_below", string(pattern="^[0-9]+$"),
                          description="remplissage inférieur à N % (50)")])},
}
