"""OpenAPI description of campaign_api.py's routes (merged into openapi.py's PATHS)."""

from ecars_common.openapi import BOOL, DATE, INT, TEXT, UUID, array, json_body, nullable, obj, operation, string
from services.contracts import bulk_request, progress

REASON = string(2000, minLength=1)
CALENDAR = obj({"opens_on": nullable(DATE), "closes_on": nullable(DATE)})

FILTER = obj({"status": string(enum=list(progress.STATUSES)), "fill_min": INT, "fill_max": INT,
              "departement": string(pattern=progress.DEPARTEMENT.pattern), "search": string(100)})
CONTRACT_DONE = obj({"contract_id": UUID, "name": TEXT, "ej_finess": TEXT, "ej_raison_sociale": TEXT},
                    ["contract_id"])
CONTRACT_REFUSED = obj({"contract_id": UUID, "name": TEXT, "ej_finess": TEXT, "ej_raison_sociale": TEXT,
                        "code": TEXT, "reason": TEXT}, ["contract_id", "code", "reason"])

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
}
