"""HTTP API of the exports for analysts (docs/campaigns.md « Exports »): the campaign as CSV or XLSX, and the
attachments of a contract or of a selection as one ZIP. Access is checked before the first byte; the file is then
streamed from a generator that needs nothing of the request."""

from urllib.parse import quote

from flask import Blueprint, Response, current_app, request

from ecars_common.app import unit_of_work
from ecars_common.errors import ApiError
from ecars_common.payload import is_uuid
from ecars_common.tokens import authenticated, current_identity
from services.contracts import access, attachments_zip, campaigns, export_rows, exports, progress
from services.contracts.bulk_request import MAX_IDS
from services.contracts.orm import contracts

bp = Blueprint("exports", __name__)


def attachment(chunks, mimetype: str, filename: str) -> Response:
    response = Response(chunks, content_type=mimetype, direct_passthrough=True)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/campaigns/<uuid:campaign_id>/export")
@authenticated
def export_campaign(campaign_id):
    """?format=csv|xlsx&shape=long|wide and the progress table's filters (status, fill_min, …)."""
    format, shape = request.args.get("format", "xlsx"), request.args.get("shape", "long")
    errors = {}
    if format not in exports.FORMATS:
        errors["format"] = "valeurs possibles : " + ", ".join(exports.FORMATS)
    if shape not in export_rows.SHAPES:
        errors["shape"] = "valeurs possibles : " + ", ".join(export_rows.SHAPES)
    if errors:
        raise ApiError(422, "validation_failed", "Format d'export inconnu.", errors)
    wanted = progress.Query.from_args(request.args)
    with unit_of_work() as session:
        campaign = campaigns.load_campaign(session, current_identity(), str(campaign_id))
    chunks = exports.chunks(current_app.extensions["db"], str(campaign_id), wanted, shape, format)
    return attachment(chunks, exports.FORMATS[format][1], exports.filename(campaign, shape, format))


def zip_of(files: list[dict], filename: str) -> Response:
    settings = current_app.config["SETTINGS"]
    headers = {"Authorization": request.headers.get("Authorization", ""),
               "X-Request-ID": request.headers.get("X-Request-ID", "")}
    chunks = attachments_zip.chunks(current_app.extensions["http_client"], settings.service_url("documents"),
                                    headers, files)
    return attachment(chunks, "application/zip", filename)


@bp.get("/contracts/<uuid:contract_id>/attachments")
@authenticated
def contract_attachments(contract_id):
    """Every document of the contract's indicators, for whoever may read the contract."""
    with unit_of_work() as session:
        contract = access.load(session, current_identity(), str(contract_id))
        files = attachments_zip.entries(session, [contract["id"]])
    return zip_of(files, f"documents-{contract['ej_finess']}-{contract['id'][:8]}.zip")


@bp.get("/campaigns/<uuid:campaign_id>/attachments")
@authenticated
def campaign_attachments(campaign_id):
    """?contract_id=…&contract_id=… (a selection), or the progress table's filters (every contract they select)."""
    chosen = request.args.getlist("contract_id")
    if len(chosen) > MAX_IDS or not all(is_uuid(item) for item in chosen):
        raise ApiError(422, "validation_failed", "Sélection de contrats invalide.",
                       {"contract_id": f"au plus {MAX_IDS} identifiants de contrats"})
    wanted = progress.Query.from_args(request.args)
    with unit_of_work() as session:
        campaign = campaigns.load_campaign(session, current_identity(), str(campaign_id))
        where = wanted.conditions(str(campaign_id))
        if chosen:
            where.append(contracts.c.id.in_([item.lower() for item in chosen]))
        ids = list(session.execute(contracts.select().with_only_columns(contracts.c.id).where(*where)).scalars())
        files = attachments_zip.entries(session, ids)
    return zip_of(files, f"documents-{campaign['evaluated_year']}-{campaign['id'][:8]}.zip")
