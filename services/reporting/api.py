"""HTTP API of the reporting service: Word documents built from the producing service's data, read
with the caller's own token (so the producer's access rules apply)."""

import re
import time
from urllib.parse import quote

from flask import Blueprint, Response, current_app

from ecars_common.delegation import ask_as_caller, error_of
from ecars_common.errors import ApiError
from ecars_common.tokens import authenticated
from services.reporting import contract_export, cpom_documents, pdf, receipt_document
from services.reporting.referentials import CpomLabels

bp = Blueprint("reporting", __name__)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


# What XML 1.0, so a Word document, cannot hold: control characters other than tab and line breaks, U+FFFE/U+FFFF.
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(data):
    """The data with every character a Word document cannot hold shown as U+FFFD (the producing services store
    what they were sent; python-docx refuses such text, which was a 500)."""
    if isinstance(data, str):
        return NOT_IN_XML.sub("\ufffd", data)
    if isinstance(data, dict):
        return {key: xml_safe(value) for key, value in data.items()}
    if isinstance(data, list):
        return [xml_safe(value) for value in data]
    return data


def fetch(service: str, path: str) -> dict:
    """What `service` shows the caller at `path` (its access rules apply), made safe for XML; its refusal as is."""
    status, body = ask_as_caller(service, path)
    if status != 200:
        error = error_of(body)
        raise ApiError(status, error["code"], error["message"], error["details"])
    return xml_safe(body)


def cpom_labels() -> CpomLabels:
    """The labels of cpom's codes, from cpom itself (asked each time: a deployed cpom may have new ones)."""
    return CpomLabels.of(fetch("cpom", "/referentiels"))


def word(content: bytes, filename: str, render_seconds: float, mimetype: str = DOCX) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response.headers["Server-Timing"] = f"render;dur={render_seconds * 1000:.1f}"
    return response


@bp.get("/contracts/<uuid:contract_id>/export.docx")
@authenticated
def contract_docx(contract_id):
    """« EDITER LES DONNEES »."""
    data = fetch("contracts", f"/contracts/{contract_id}/export")
    started = time.perf_counter()
    content = contract_export.render(data)
    return word(content, f"{data['name']}.docx", time.perf_counter() - started)


@bp.get("/cpoms/<uuid:cpom_id>/fiche-objectif/<code>.docx")
@authenticated
def fiche_objectif_docx(cpom_id, code: str):
    """« Génération fiche Objectif » (objective by its code)."""
    snapshot, labels = fetch("cpom", f"/cpoms/{cpom_id}/export"), cpom_labels()
    started = time.perf_counter()
    content = cpom_documents.fiche_objectif(snapshot, code, labels)
    if content is None:
        raise ApiError(404, "not_found", "Objectif introuvable dans ce CPOM.")
    return word(content, f"Fiche objectif {code} - {snapshot['cpom']['nom']}.docx", time.perf_counter() - started)


@bp.get("/cpoms/<uuid:cpom_id>/synthese.docx")
@authenticated
def synthese_docx(cpom_id):
    """« Génération Tableau de synthèse »."""
    snapshot, labels = fetch("cpom", f"/cpoms/{cpom_id}/export"), cpom_labels()
    started = time.perf_counter()
    content = cpom_documents.synthese(snapshot, labels)
    return word(content, f"Tableau de synthèse - {snapshot['cpom']['nom']}.docx", time.perf_counter() - started)


def receipt_pdf(receipt: dict) -> Response:
    """The receipt as the PDF the EJ's contacts were emailed (the same template, docs/receipts.md)."""
    settings = current_app.config["SETTINGS"]
    started = time.perf_counter()
    try:
        content = pdf.to_pdf(receipt_document.render(receipt), settings.soffice, settings.pdf_timeout_seconds)
    except pdf.PdfError as error:
        raise ApiError(503, "pdf_unavailable", str(error))
    return word(content, receipt_document.filename_of(receipt), time.perf_counter() - started, PDF)


@bp.get("/contracts/<uuid:contract_id>/receipt.pdf")
@authenticated
def contract_receipt_pdf(contract_id):
    """« Accusé de clôture de la saisie » (404 before closing)."""
    return receipt_pdf(fetch("contracts", f"/contracts/{contract_id}/receipt"))


@bp.get("/cpoms/<uuid:cpom_id>/transmissions/<int:version>/receipt.pdf")
@authenticated
def cpom_receipt_pdf(cpom_id, version: int):
    """« Accusé de transmission » of transmission n° `version` (404 for an unknown one)."""
    return receipt_pdf(fetch("cpom", f"/cpoms/{cpom_id}/transmissions/{version}/receipt"))
