"""OpenAPI description of the documents service's routes (served at /openapi.json, see ecars_common/openapi.py)."""

from ecars_common.openapi import INT, TEXT, UUID, document, items_of, json_body, nullable, obj, operation, query, string

DOCUMENT_METADATA = obj({"id": UUID, "name": TEXT, "extension": TEXT, "content_type": TEXT,
                         "detected_type": nullable(TEXT), "size": INT, "sha256": TEXT,
                         "owner": obj({"type": TEXT}, ["type"]), "uploaded_by": obj(), "uploaded_at": TEXT},
                        ["id", "name", "size", "sha256", "owner", "uploaded_at"])
FOLDER = obj({"id": UUID, "name": TEXT, "code": nullable(TEXT), "confidential": {"type": "boolean"}},
             ["id", "name"])
LISTING = items_of(DOCUMENT_METADATA)
# The file: the raw body (its name in X-File-Name or ?name=) or the first file part of a multipart form.
FILE_BODY = {"required": True, "content": {
    "application/octet-stream": {"schema": string(format="binary")},
    "multipart/form-data": {"schema": obj({"file": string(format="binary")}, ["file"])},
}}
UPLOAD_ERRORS = [403, 409, 413, 415, 422, 503]


def upload(summary: str) -> dict:
    return operation(summary, status=201, returns=DOCUMENT_METADATA, body=FILE_BODY, errors=UPLOAD_ERRORS,
                     parameters=[query("name", string(255), description="nom du fichier (ou en-tête X-File-Name)")])


def append_only() -> dict:
    """Documents are never deleted, modified or replaced: 405 on every document route."""
    refused = operation("Refusé : les documents transmis ne peuvent être ni supprimés ni remplacés.", status=405,
                        returns={"$ref": "#/components/schemas/Error"})
    return {"delete": refused, "put": refused, "patch": refused}


ORPHANED_OBJECT = obj({"key": TEXT, "bucket": TEXT, "size": INT, "last_modified": TEXT,
                       "document_id": nullable(TEXT), "original_name": nullable(TEXT), "uploaded_by": nullable(TEXT),
                       "owner": obj(), "found_at": TEXT}, ["key", "size", "last_modified", "found_at"])
FORMAT = obj({"extension": TEXT, "kind": TEXT, "content_type": TEXT}, ["extension", "kind", "content_type"])
FORMATS = obj({"items": {"type": "array", "items": FORMAT}, "max_bytes": INT}, ["items", "max_bytes"])

PATHS = {
    "/formats": {"get": operation("Les formats acceptés (guide 000 §5) et la taille maximale d'un fichier.",
                                  returns=FORMATS)},
    "/indicators/<contract_id>/<indicator_id>/documents": {
        "post": upload("« Ajouter document » dans « Documents de l'indicateur »."),
        "get": operation("Les documents d'un indicateur du contrat.", returns=LISTING, errors=[403, 503]),
    },
    "/cpoms/<cpom_id>/folders": {
        "get": operation("L'arborescence des dossiers du CPOM.", returns=items_of(FOLDER), errors=[403]),
        "post": operation("Un sous-dossier (ARS, CD, administrateur).", status=201, returns=FOLDER,
                          errors=[403, 409, 422],
                          body=json_body(obj({"name": string(100), "parent_id": string(36)}, ["name"]))),
    },
    "/cpoms/<cpom_id>/folders/<folder_id>/documents": {
        "post": upload("« Ajouter un fichier » dans le dossier."),
        "get": operation("Les documents d'un dossier.", returns=LISTING, errors=[403]),
    },
    "/references/<region>": {
        "post": upload("Ajouter un document de référence de la région (ARS de la région)."),
        "get": operation("« Documents de référence » de la région.", returns=LISTING, errors=[403]),
    },
    "/messages/<scope>/<scope_id>/<message_id>/documents": {"post": upload(
        "Joindre un document à un message du contrat ou du CPOM (par son auteur).")},
    "/messages/<scope>/<scope_id>/documents": {"get": operation(
        "Les pièces jointes des messages du contrat ou du CPOM que l'appelant peut lire.", returns=LISTING,
        errors=[403, 503])},
    "/documents/<document_id>": {"get": operation("Les métadonnées d'un document.", returns=DOCUMENT_METADATA,
                                                  errors=[403])},
    "/documents/<document_id>/content": {"get": operation(
        "Le fichier, lu dans S3 (la version enregistrée au dépôt).", returns=string(format="binary"),
        media_type="*/*", errors=[403, 503])},
    "/dashboard/orphaned-objects": {"get": operation(
        "Équipe support : les fichiers du stockage S3 sans fiche (dépôt dont l'enregistrement a échoué).",
        returns=items_of(ORPHANED_OBJECT), errors=[403],
        parameters=[query("limit", INT, description="nombre maximal de fichiers listés (1 à 500, 50 par défaut)")])},
    "/documents/<path:rest>": append_only(),
    "/indicators/<path:rest>": append_only(),
    "/cpoms/<path:rest>": append_only(),
    "/references/<path:rest>": append_only(),
    "/messages/<path:rest>": append_only(),
}

DOCUMENT = document("documents", PATHS, habilitations=True,
                    description="Documents (ajout seulement, Object Lock) : indicateurs, dossiers de CPOM, références.")
