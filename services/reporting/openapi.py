"""OpenAPI description of the reporting service's routes (served at /openapi.json, see ecars_common/openapi.py)."""

from ecars_common.openapi import document, operation, string

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The data is read from the producing service with the caller's token: its refusals come back as they are.
UPSTREAM_ERRORS = [403, 404, 503]  # 503 also: LibreOffice missing or too slow (receipts)


def word(summary: str) -> dict:
    return operation(summary, returns=string(format="binary"), media_type=DOCX, errors=UPSTREAM_ERRORS)


def receipt(summary: str) -> dict:
    return operation(summary, returns=string(format="binary"), media_type="application/pdf",
                     errors=UPSTREAM_ERRORS)


PATHS = {
    "/contracts/<uuid:contract_id>/receipt.pdf": {"get": receipt(
        "« Accusé de clôture de la saisie » en PDF (404 tant que la saisie n'est pas close).")},
    "/cpoms/<uuid:cpom_id>/transmissions/<int:version>/receipt.pdf": {"get": receipt(
        "« Accusé de transmission » de la transmission n° version, en PDF.")},
    "/contracts/<uuid:contract_id>/export.docx": {"get": word("« EDITER LES DONNEES » : le contrat en Word.")},
    "/cpoms/<uuid:cpom_id>/fiche-objectif/<code>.docx": {"get": word(
        "« Génération fiche Objectif » : l'objectif (par son code) en Word.")},
    "/cpoms/<uuid:cpom_id>/synthese.docx": {"get": word("« Génération Tableau de synthèse » du CPOM en Word.")},
}

DOCUMENT = document("reporting", PATHS, description="Documents Word construits à partir des données des services.")
