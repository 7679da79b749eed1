"""OpenAPI description of entry_api.py's routes (merged into openapi.py's PATHS)."""

from ecars_common.openapi import INT, TEXT, UUID, array, json_body, nullable, obj, operation, string
from services.contracts import flags
from services.contracts.domain import MAX_TEXT

DRAFT = obj({"answers": obj(), "comment": TEXT, "base_version": INT, "saved_at": TEXT},
            ["answers", "comment", "base_version", "saved_at"])
FLAG = obj({"indicator_code": TEXT, "note": TEXT, "flagged_by": nullable(TEXT), "flagged_at": TEXT},
           ["indicator_code", "note", "flagged_at"])

PATHS = {
    "/contracts/<uuid:contract_id>/indicators/<code>/draft": {
        "put": operation("Garder le brouillon de l'appelant sur l'indicateur, tel que saisi (non vérifié, la pastille "
                         "ne change pas) : 409 si la saisie est close.", returns=DRAFT, errors=[403, 409, 422],
                         body=json_body(obj({"answers": obj(), "comment": string(MAX_TEXT)}))),
        "get": operation("Le brouillon de l'appelant sur l'indicateur (404 s'il n'en a pas).", returns=DRAFT),
        "delete": operation("« Ignorer » le brouillon de l'appelant.", status=204),
    },
    "/contracts/<uuid:contract_id>/indicators/<code>/flag": {
        "put": operation("Marquer les valeurs de l'indicateur « À suivre », avec une note (ARS).", returns=FLAG,
                         errors=[403, 422], body=json_body(obj({"note": string(flags.NOTE_MAX)}, ["note"]))),
        "delete": operation("« Ne plus suivre » l'indicateur (ARS).", status=204, errors=[403]),
    },
    "/campaigns/<uuid:campaign_id>/flags": {"get": operation(
        "Les valeurs « À suivre » de la campagne, les plus récentes d'abord (ARS).",
        returns=obj({"items": array(obj({"contract_id": UUID, "contract_name": TEXT, "ej_finess": TEXT,
                                         "indicator_code": TEXT, "indicator_label": TEXT, "note": TEXT},
                                        ["contract_id", "indicator_code", "note"]))}, ["items"]),
        errors=[403])},
}
