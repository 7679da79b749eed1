"""OpenAPI description of export_api.py's routes (merged into openapi.py's PATHS)."""

from ecars_common import table_files
from ecars_common.openapi import UUID, array, operation, query, string
from services.contracts import export_rows, exports, progress

FILTERS = [query("status", string(enum=list(progress.STATUSES))),
           query("fill_min", string(pattern="^[0-9]+$"), description="% de remplissage minimal (0 à 100)"),
           query("fill_max", string(pattern="^[0-9]+$"), description="% de remplissage maximal (0 à 100)"),
           query("departement", string(pattern=progress.DEPARTEMENT.pattern)),
           query("search", string(100), description="nom de l'EJ ou FINESS, ou une partie")]
BINARY = string(format="binary")


def download(summary: str, media_type: str, errors=(403,), parameters=()) -> dict:
    return operation(summary, returns=BINARY, media_type=media_type, errors=errors, parameters=parameters,
                     headers={"Content-Disposition": string()})


PATHS = {
    "/campaigns/<uuid:campaign_id>/export": {"get": download(
        "Export de la campagne pour les analystes, en XLSX ou CSV : une ligne par contrat et question d'indicateur "
        "(long) ou une ligne par contrat et une colonne par question (wide) (ARS).", table_files.XLSX_TYPE,
        errors=(403, 422), parameters=[query("format", string(enum=list(exports.FORMATS))),
                                       query("shape", string(enum=list(export_rows.SHAPES))), *FILTERS])},
    "/contracts/<uuid:contract_id>/attachments": {"get": download(
        "Tous les documents des indicateurs du contrat, en une archive ZIP nommée par EJ et indicateur.",
        "application/zip")},
    "/campaigns/<uuid:campaign_id>/attachments": {"get": download(
        "Les documents d'une sélection de contrats (contract_id répété) ou de ceux que les critères retiennent, en "
        "une archive ZIP nommée par EJ et indicateur (ARS).", "application/zip", errors=(403, 422),
        parameters=[query("contract_id", array(UUID)), *FILTERS])},
}

# The campaign export answers XLSX or CSV, as ?format= asks: both media types are described.
PATHS["/campaigns/<uuid:campaign_id>/export"]["get"]["responses"]["200"]["content"]["text/csv"] = {"schema": BINARY}
