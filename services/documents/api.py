"""HTTP API of the documents service (reached as /api/documents/… through the gateway).

Uploads: POST the file as the raw body (Content-Type application/octet-stream, name in `X-File-Name`,
percent-encoded UTF-8, or in the query parameter `name`) or as multipart/form-data (first file part).
Downloads: GET /documents/<id>/content. Documents are never deleted, modified or replaced: DELETE, PUT
and PATCH answer 405 on every document route."""

import base64
import logging
import uuid

from flask import Blueprint, Response, current_app, jsonify, request

from ecars_common.app import settings, unit_of_work
from ecars_common.dashboard import require_support
from ecars_common.errors import ApiError, error_body
from ecars_common.numbers import whole_number
from ecars_common.payload import is_uuid, json_object, string_field
from ecars_common.tokens import authenticated, current_identity
from services.documents import access, domain, metadata, orphans, permissions, storage, upload
from services.documents.domain import APPEND_ONLY_MESSAGE, REPLACE_MESSAGE, Owner, Refused

log = logging.getLogger(__name__)
bp = Blueprint("documents", __name__)
DOWNLOAD_CHUNK = 1024 * 1024  # as the gateway relays it: 4× fewer chunks than 256 KiB (bench/README.md)




def metric(name: str):
    return current_app.extensions["documents_metrics"][name]


def s3():
    return current_app.extensions["s3"]


@bp.errorhandler(Refused)
def _refused(exc: Refused):
    response = jsonify(error_body(exc.code, exc.message, exc.details))
    response.status_code = exc.status
    return response


@bp.errorhandler(storage.StorageUnavailable)
def _storage_unavailable(exc: storage.StorageUnavailable):
    log.error("S3 unavailable: %s", exc)
    return jsonify(error_body("storage_unavailable", "Le stockage des documents est momentanément indisponible : "
                                                     "réessayez dans quelques minutes.")), 503


# -- what is accepted ------------------------------------------------------------------------------

@bp.get("/formats")
@authenticated
def accepted_formats():
    """The formats accepted (guide 000 §5) and the size limit, for the forms that offer a file."""
    return jsonify({"items": [{"extension": extension, "kind": kind, "content_type": content_type}
                              for extension, (kind, content_type) in domain.FORMATS.items()],
                    "max_bytes": settings().max_bytes})


# -- uploads ---------------------------------------------------------------------------------------

def incoming() -> upload.Incoming:
    max_bytes = settings().max_bytes
    multipart = request.mimetype == "multipart/form-data"
    declared = request.content_length
    if declared is not None and declared > max_bytes + (upload.MULTIPART_OVERHEAD if multipart else 0):
        raise upload.too_large(max_bytes)  # said up front: refused before a byte is read
    if multipart:
        return upload.multipart_body(request.stream, request.mimetype_params.get("boundary", ""), max_bytes)
    if request.mimetype == "application/x-www-form-urlencoded":
        raise Refused(415, "unsupported_media_type", "Envoyez le fichier en multipart/form-data ou comme corps "
                                                     "brut (application/octet-stream).")
    return upload.raw_body(request.stream, upload.name_from_request(request.headers, request.args))


def store(owner: Owner, still_allowed=None):
    """Receive, check and store the request's file for `owner`; 201 with its metadata. `still_allowed()`, if
    given, is asked again once the file has arrived, before the S3 object is completed (a long upload may
    outlast the right to add it)."""
    identity = current_identity()
    document_id = str(uuid.uuid4())
    key = domain.stored_key(owner, document_id)
    try:
        file = incoming()
        stored = upload.receive(file, settings(), s3(), key,
                                storage.object_metadata(document_id, file.name, owner.event_data(), identity.user_id),
                                still_allowed)
    except (Refused, storage.StorageUnavailable) as exc:
        metric("uploads").labels(owner.type, getattr(exc, "code", "storage_unavailable")).inc()
        if getattr(exc, "code", "") == "too_large" and request.content_length:
            return _refused(exc), {"Connection": "close"}  # declared too large: not read at all
        upload.drain(request.stream, settings().max_bytes + upload.MULTIPART_OVERHEAD)
        raise
    try:
        with unit_of_work() as session:
            item = metadata.record(session, document_id, owner, key, settings().s3_bucket, stored,
                                    identity.user_id, identity.email)
    except Exception:
        # The object is in S3 (and locked) but has no row: it stays invisible. Logged for the support team.
        log.exception("document %s stored as %s (version %s) but its metadata could not be written",
                      document_id, key, stored.version_id)
        raise ApiError(503, "database_unavailable", "Le document n'a pas pu être enregistré : réessayez dans "
                                                    "quelques minutes.")
    metric("uploads").labels(owner.type, "stored").inc()
    metric("uploaded_bytes").labels(owner.type).inc(stored.size)
    log.info("document %s added (%s, %d bytes)", document_id, owner.type, stored.size,
             extra={"document_id": document_id, "owner_type": owner.type})
    return jsonify(item), 201


# -- indicator attachments (contracts) ---------------------------------------------------------------

def indicator_owner(contract_id: str, indicator_id: str) -> Owner:
    if not is_uuid(contract_id):
        raise Refused(404, "not_found", "Contrat introuvable.", {"contract_id": contract_id[:100]})
    return Owner("indicator", contract_id=contract_id.lower(), indicator_id=domain.scope_id(indicator_id, "Indicateur"))


@bp.post("/indicators/<contract_id>/<indicator_id>/documents")
@authenticated
def add_to_indicator(contract_id: str, indicator_id: str):
    """« Ajouter document » in the block « Documents de l'indicateur » (guide 000 §5)."""
    owner = indicator_owner(contract_id, indicator_id)
    permissions.may_add(owner.contract_id, owner.indicator_id)
    return store(owner, lambda: permissions.may_add(owner.contract_id, owner.indicator_id))


@bp.get("/indicators/<contract_id>/<indicator_id>/documents")
@authenticated
def list_indicator(contract_id: str, indicator_id: str):
    owner = indicator_owner(contract_id, indicator_id)
    permissions.may_read(owner.contract_id, owner.indicator_id)
    with unit_of_work() as session:
        return jsonify({"items": metadata.listing(session, owner)})


# -- CPOM folders ------------------------------------------------------------------------------------

@bp.get("/cpoms/<cpom_id>/folders")
@authenticated
def cpom_folders(cpom_id: str):
    """« Documents » of the CPOM's page: the folder tree (guide 004 « Consulter les documents du CPOM »)."""
    cpom_id = domain.scope_id(cpom_id, "CPOM")
    identity = current_identity()
    with unit_of_work() as session:
        cpom_grant = access.cpom(session, identity, cpom_id)
        metadata.ensure_default_folders(session, cpom_id)
        tree = metadata.folder_tree(session, cpom_id, access.sees_confidential(identity, cpom_grant))
    return jsonify({"items": tree})


@bp.post("/cpoms/<cpom_id>/folders")
@authenticated
def add_cpom_folder(cpom_id: str):
    """A sub-folder, added by the authorities (ARS, CD, admin)."""
    cpom_id = domain.scope_id(cpom_id, "CPOM")
    identity = current_identity()
    data = json_object()
    name = string_field(data, "name", max_length=100)
    if any(c in name for c in "/\\") or not name.strip("."):
        raise ApiError(422, "validation_failed", "Le nom du dossier ne doit pas contenir « / » ou « \\ ».",
                       {"name": "caractères interdits"})
    parent_id = string_field(data, "parent_id", max_length=36, required=False)
    if not domain.is_authority(identity.role):
        raise Refused(403, "forbidden", "Seules l'ARS et le conseil départemental peuvent créer des dossiers.")
    with unit_of_work() as session:
        access.cpom(session, identity, cpom_id)  # an authority of the CPOM's territory, not any ARS or CD
        metadata.ensure_default_folders(session, cpom_id)
        parent = access.folder(session, identity, cpom_id, parent_id) if parent_id else None
        folder = metadata.add_folder(session, cpom_id, parent, name, identity.user_id)
    if folder is None:
        raise ApiError(409, "folder_exists", f"Un dossier « {name} » existe déjà à cet endroit.", {"name": name})
    return jsonify(folder), 201


@bp.post("/cpoms/<cpom_id>/folders/<folder_id>/documents")
@authenticated
def add_to_folder(cpom_id: str, folder_id: str):
    """« Ajouter un fichier » in the selected folder (guide 004 « Ajouter un document »)."""
    cpom_id = domain.scope_id(cpom_id, "CPOM")
    with unit_of_work() as session:
        folder = access.folder(session, current_identity(), cpom_id, folder_id)
    return store(Owner("folder", cpom_id=cpom_id, folder_id=folder["id"]))


@bp.get("/cpoms/<cpom_id>/folders/<folder_id>/documents")
@authenticated
def list_folder(cpom_id: str, folder_id: str):
    cpom_id = domain.scope_id(cpom_id, "CPOM")
    with unit_of_work() as session:
        folder = access.folder(session, current_identity(), cpom_id, folder_id)
        return jsonify({"items": metadata.listing(session, Owner("folder", cpom_id=cpom_id,
                                                                  folder_id=folder["id"]))})


# -- documents de référence --------------------------------------------------------------------------

@bp.post("/references/<region>")
@authenticated
def add_reference(region: str):
    region = domain.region_name(region)
    access.add_reference(current_identity(), region)
    return store(Owner("reference", region=region))


@bp.get("/references/<region>")
@authenticated
def list_references(region: str):
    """« Documents de référence »: what the region's ARS puts at every organisation's disposal."""
    region = domain.region_name(region)
    access.read_references(current_identity())
    with unit_of_work() as session:
        return jsonify({"items": metadata.listing(session, Owner("reference", region=region))})


# -- the attachments of a contract's or a CPOM's « Messages » ----------------------------------------------------------

MESSAGE_SCOPES = ("contracts", "cpoms")


def message_owner(scope: str, scope_id: str, message_id: str | None = None) -> Owner:
    """The owner of a message's attachments; an unknown scope (not « contracts » nor « cpoms ») is a 404, as an
    unknown id: with a converter `any(...)` in the rule, the append-only route answered it 405."""
    if scope not in MESSAGE_SCOPES:
        raise Refused(404, "not_found", "Contrat, CPOM ou message introuvable.", {"scope": scope[:100]})
    what = "Contrat" if scope == "contracts" else "CPOM"
    if not is_uuid(scope_id) or (message_id is not None and not is_uuid(message_id)):
        raise Refused(404, "not_found", f"{what} ou message introuvable.", {"id": scope_id[:100]})
    column = "contract_id" if scope == "contracts" else "cpom_id"
    return Owner("message", message_id=message_id.lower() if message_id else None, **{column: scope_id.lower()})


@bp.post("/messages/<scope>/<scope_id>/<message_id>/documents")
@authenticated
def add_to_message(scope: str, scope_id: str, message_id: str):
    """A pièce jointe of a message, by its author (docs/messaging.md)."""
    owner = message_owner(scope, scope_id, message_id)
    permissions.may_attach(scope, scope_id.lower(), owner.message_id, current_identity().user_id)
    return store(owner)


@bp.get("/messages/<scope>/<scope_id>/documents")
@authenticated
def list_thread(scope: str, scope_id: str):
    """The attachments of every message of the thread the caller may read (a private note's for the authority)."""
    owner = message_owner(scope, scope_id)
    readable = [item["id"] for item in permissions.thread(scope, scope_id.lower())["items"]]
    with unit_of_work() as session:
        return jsonify({"items": metadata.thread_listing(session, owner, readable)})


# -- the support team's list of S3 objects without a row (orphans.py) ----------------------------------

@bp.get("/dashboard/orphaned-objects")
def orphaned_objects():
    require_support()
    limit = whole_number(request.args.get("limit", "50"), 1, 500) or 50
    with unit_of_work() as session:
        return jsonify({"items": orphans.listing(session, limit)})


# -- one document ------------------------------------------------------------------------------------

@bp.get("/documents/<document_id>")
@authenticated
def document_metadata(document_id: str):
    with unit_of_work() as session:
        return jsonify(metadata.public(access.document(session, current_identity(), document_id)))


@bp.get("/documents/<document_id>/content")
@authenticated
def download(document_id: str):
    """The stored bytes, streamed from S3 (the version recorded at upload) in 1 MiB chunks."""
    with unit_of_work() as session:
        row = access.document(session, current_identity(), document_id)
    stored = s3().get(row["stored_name"], row["version_id"], row["bucket"])
    metric("downloads").labels(row["owner_type"]).inc()
    digest = base64.b64encode(bytes.fromhex(row["sha256"])).decode()
    headers = {
        "Content-Type": row["content_type"],
        "Content-Length": str(row["size"]),
        "Content-Disposition": domain.content_disposition(row["original_name"]),
        "ETag": f'"{row["sha256"]}"',
        "Repr-Digest": f"sha-256=:{digest}:",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    response = Response(stored.stream(DOWNLOAD_CHUNK), headers=headers, direct_passthrough=True)
    # minio's pattern after a read, run also when the body is never read (HEAD, a client gone away)
    response.call_on_close(lambda: (stored.close(), stored.release_conn()))
    return response


# -- append-only -----------------------------------------------------------------------------------

@bp.route("/documents/<path:rest>", methods=["DELETE", "PUT", "PATCH"])
@bp.route("/indicators/<path:rest>", methods=["DELETE", "PUT", "PATCH"])
@bp.route("/cpoms/<path:rest>", methods=["DELETE", "PUT", "PATCH"])
@bp.route("/references/<path:rest>", methods=["DELETE", "PUT", "PATCH"])
@bp.route("/messages/<path:rest>", methods=["DELETE", "PUT", "PATCH"])
def append_only(rest: str):
    """Guide 000: « Les documents transmis ne peuvent pas être supprimés. » Nor replaced."""
    upload.drain(request.stream, settings().max_bytes + upload.MULTIPART_OVERHEAD)
    message = APPEND_ONLY_MESSAGE if request.method == "DELETE" else REPLACE_MESSAGE
    response = jsonify(error_body("append_only", message, {"method": request.method}))
    allowed = current_app.url_map.bind_to_environ(request.environ).allowed_methods()
    response.headers["Allow"] = ", ".join(sorted(set(allowed) - {"DELETE", "PUT", "PATCH"}))
    return response, 405
