"""OpenAPI description of campaign_api.py's routes (merged into openapi.py's PATHS)."""

from ecars_common.openapi import BOOL, DATE, TEXT, UUID, json_body, nullable, obj, operation, string

REASON = string(2000, minLength=1)
CALENDAR = obj({"opens_on": nullable(DATE), "closes_on": nullable(DATE)})

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
}
