"""Access matrix of the documents service: every route, each caller by its relation to the contract or
CPOM that owns the documents (tests/support/access.py), and the bad tokens. Indicator attachments follow the
contracts service's answer for the indicator (404 stranger, 403 grey and hidden, 409 closed contract); CPOM
folders answer 403 to a caller without access to the CPOM and to « Documents confidentiels » without the
flag; a document fetched by id that may not be seen is 404 (services/documents/access.py). DELETE, PUT and
PATCH answer 405 to everybody: documents are append-only."""

import uuid

from tests.support.access import (
    BLIND,
    SEES,
    SUPPORT_ONLY,
    Route,
    Variant,
    matrix_tests,
    service_routes,
)
from tests.support.samples import pdf

SERVICE = "documents"
FILE = {"content": pdf(), "headers": {"Content-Type": "application/octet-stream", "X-File-Name": "piece.pdf"}}
INDICATOR_STRANGERS = {"other_ej": 404, "ars_other_region": 404, "cd": 404, "cd_other_dept": 404, "support": 404}
CPOM_STRANGERS = {"other_ej": 403, "ars_other_region": 403, "cd_other_dept": 403, "support": 403}
CPOM_READ = {"ej_member": 200, "ej_collaborator": 200, "ars": 200, "cd": 200, **CPOM_STRANGERS}
CPOM_ADD = {caller: 201 if status == 200 else status for caller, status in CPOM_READ.items()}
BY_ID = {"ej_member": 200, "ej_collaborator": 200, "ars": 200, "cd": 200, "other_ej": 404, "ars_other_region": 404,
         "cd_other_dept": 404, "support": 404}
APPEND_ONLY = {"ej_member": (405, "append_only"), "ars": 405, "support": 405}


def send_file(_w):
    return dict(FILE)


def append_only(prefix: str, path: str) -> list[Route]:
    return [Route(method, f"/{prefix}/<path:rest>", path, APPEND_ONLY, service_open=True)
            for method in ("DELETE", "PUT", "PATCH")]


def by_id(suffix: str = "") -> Route:
    return Route("GET", f"/documents/<document_id>{suffix}", "/documents/{doc_folder}" + suffix, BY_ID, variants=[
        Variant("confidential folder", "/documents/{doc_confidential}" + suffix,
                {"ej_member": 200, "ej_collaborator": 404, "ars": 200, "cd": 200, "other_ej": 404}),
        Variant("indicator attachment", "/documents/{doc_indicator}" + suffix, {
            "ej_member": 200, "ej_collaborator": 200, "ars": 200, **INDICATOR_STRANGERS}),
        Variant("message attachment", "/documents/{doc_message}" + suffix, {
            "ej_member": 200, "ej_collaborator": 200, "ars": 200, **INDICATOR_STRANGERS}),
        Variant("private note attachment", "/documents/{doc_note}" + suffix, {
            "ej_member": 404, "ej_collaborator": 404, "ars": 200, "other_ej": 404}),
        Variant("document de référence", "/documents/{doc_reference}" + suffix, {
            "ej_member": 200, "other_ej": 200, "ars_other_region": 200, "cd": 200, "support": 200})])


ROUTES = service_routes(SERVICE) + [
    Route("GET", "/formats", "/formats", {caller: 200 for caller in ("ej_member", "other_ej", "ars", "cd", "support")}),
    Route("GET", "/dashboard/orphaned-objects", "/dashboard/orphaned-objects", SUPPORT_ONLY),
    Route("POST", "/indicators/<contract_id>/<indicator_id>/documents", "/indicators/{contract}/ACC01/documents", {
        "ej_member": 201, "ej_collaborator": 201, "ars": (403, "read_only"), **INDICATOR_STRANGERS},
          send=send_file, variants=[
              Variant("grey indicator", "/indicators/{contract}/ACC02/documents", {
                  "ej_member": (403, "read_only"), "ej_collaborator": 403, "other_ej": 404}, send=send_file),
              Variant("hidden grey indicator", "/indicators/{contract}/PIL01/documents", {
                  "ej_member": (403, "indicator_not_accessible"), "other_ej": 404}, send=send_file),
              Variant("closed contract", "/indicators/{closed}/ACC01/documents", {
                  "ej_member": (409, "contract_closed"), "ars": 409, "other_ej": 404}, send=send_file)]),
    Route("GET", "/indicators/<contract_id>/<indicator_id>/documents", "/indicators/{contract}/ACC01/documents", {
        "ej_member": SEES, "ej_collaborator": SEES, "ars": SEES, **INDICATOR_STRANGERS}, listed="doc_indicator",
          variants=[Variant("hidden grey indicator", "/indicators/{contract}/PIL01/documents", {
              "ej_member": (403, "indicator_not_accessible"), "ars": 200, "other_ej": 404}),
              Variant("closed contract", "/indicators/{closed}/ACC01/documents", {
                  "ej_member": 200, "ars": 200, "other_ej": 404})]),
    Route("GET", "/cpoms/<cpom_id>/folders", "/cpoms/{cpom}/folders", {
        "ej_member": SEES, "ej_collaborator": BLIND, "ars": SEES, "cd": SEES, **CPOM_STRANGERS},
          listed="confidential"),
    Route("POST", "/cpoms/<cpom_id>/folders", "/cpoms/{cpom}/folders", {
        "ars": 201, "cd": 201, "ej_member": 403, "ej_collaborator": 403, **CPOM_STRANGERS},
          send=lambda w: {"json": {"name": f"Dossier {uuid.uuid4().hex[:8]}"}}),
    Route("POST", "/cpoms/<cpom_id>/folders/<folder_id>/documents", "/cpoms/{cpom}/folders/{folder}/documents",
          CPOM_ADD, send=send_file, variants=[
              Variant("confidential folder", "/cpoms/{cpom}/folders/{confidential}/documents", {
                  "ej_member": 201, "ej_collaborator": (403, "confidential"), "ars": 201, "cd": 201,
                  "other_ej": 403}, send=send_file)]),
    Route("GET", "/cpoms/<cpom_id>/folders/<folder_id>/documents", "/cpoms/{cpom}/folders/{folder}/documents",
          {**CPOM_READ, "ej_member": SEES, "ars": SEES}, listed="doc_folder", variants=[
              Variant("confidential folder", "/cpoms/{cpom}/folders/{confidential}/documents", {
                  "ej_member": 200, "ej_collaborator": (403, "confidential"), "ars": 200, "cd": 200,
                  "other_ej": 403})]),
    Route("POST", "/references/<region>", "/references/{region}", {
        "ars": 201, "ars_other_region": 403, "cd": 403, "ej_member": 403, "support": 403}, send=send_file),
    Route("GET", "/references/<region>", "/references/{region}", {
        "ej_member": SEES, "other_ej": SEES, "ars": SEES, "ars_other_region": SEES, "cd": SEES, "support": SEES},
          listed="doc_reference"),
    # a message's attachments: added by its author, read by whoever reads the message (contracts, cpom decide)
    Route("POST", "/messages/<scope>/<scope_id>/<message_id>/documents",
          "/messages/contracts/{contract}/{msg_contract}/documents", {
              "ej_member": 201, "ej_collaborator": (403, "not_author"), "ars": (403, "not_author"),
              **INDICATOR_STRANGERS}, send=send_file, variants=[
              Variant("CPOM message", "/messages/cpoms/{cpom}/{msg_cpom}/documents", {
                  "ej_member": 201, "ars": 403, "cd": 403, "other_ej": 404, "ars_other_region": 404,
                  "cd_other_dept": 404}, send=send_file),
              Variant("private note", "/messages/contracts/{contract}/{note_contract}/documents", {
                  "ej_member": 404, "ars": 201, "other_ej": 404}, send=send_file)]),
    Route("GET", "/messages/<scope>/<scope_id>/documents",
          "/messages/contracts/{contract}/documents", {
              "ej_member": SEES, "ej_collaborator": SEES, "ars": SEES, **INDICATOR_STRANGERS}, listed="doc_message",
          variants=[Variant("private note attachment", "/messages/contracts/{contract}/documents", {
              "ej_member": BLIND, "ej_collaborator": BLIND, "ars": SEES}, listed="doc_note"),
              Variant("CPOM thread", "/messages/cpoms/{cpom}/documents", {
                  "ej_member": 200, "cd": 200, "other_ej": 404, "cd_other_dept": 404})]),
    by_id(),
    by_id("/content"),
    *append_only("documents", "/documents/{doc_folder}"),
    *append_only("indicators", "/indicators/{contract}/ACC01/documents"),
    *append_only("cpoms", "/cpoms/{cpom}/folders/{folder}/documents"),
    *append_only("references", "/references/{region}"),
    *append_only("messages", "/messages/contracts/{contract}/{msg_contract}/documents"),
]


w, test_every_route_of_the_service_has_access_rows, test_access, test_bad_token_is_refused = matrix_tests(
    {SERVICE: ROUTES})
