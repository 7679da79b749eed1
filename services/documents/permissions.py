"""May the caller read, or add, the documents of an indicator? The contracts service decides, as it does for
the indicator itself: it is asked for the indicator with the caller's own token (like reporting does), so
its rules apply unchanged — the EJ's interlocutors and the users granted the contract, the ARS of the
campaign's region, restricted (grey) indicators, and « Clore la saisie », after which nothing is added
(the receipt seals the documents by their SHA-256)."""

from urllib.parse import quote

from ecars_common.delegation import ask_as_caller, error_of
from ecars_common.errors import ApiError
from services.documents.domain import Refused


def indicator(contract_id: str, indicator_id: str) -> dict:
    """The contracts service's view of the indicator for the caller; its refusal (401, 403, 404) as is."""
    return ask("contracts", f"/contracts/{contract_id}/indicators/{quote(indicator_id, safe='')}")


def cpom_sheet(cpom_id: str) -> dict:
    """The cpom service's sheet of the CPOM for the caller (its rules: EJ interlocutors, territory of the
    ARS or CD); its refusal as is."""
    return ask("cpom", f"/cpoms/{cpom_id}")


def ask(service: str, path: str) -> dict:
    try:
        status, body = ask_as_caller(service, path)
    except ApiError as unavailable:
        raise Refused(unavailable.status, unavailable.code, unavailable.message, unavailable.details)
    if status == 200:
        return body
    if status in (401, 403, 404):
        error = error_of(body, default_code="not_found")
        raise Refused(status, error["code"], error["message"], error["details"])
    raise Refused(503, "upstream_unavailable", f"Le service « {service} » ne répond pas correctement : réessayez "
                                               "dans quelques minutes.", {"service": service, "status": status})


def may_read(contract_id: str, indicator_id: str) -> None:
    indicator(contract_id, indicator_id)


def may_add(contract_id: str, indicator_id: str) -> None:
    """Guide 000 §5: documents are added in the indicator's form, by who fills it, while the
    self-evaluation is open."""
    view = indicator(contract_id, indicator_id)
    if view.get("editable"):
        return
    if view.get("contract", {}).get("entry_open") is False:  # contracts says whether its entry is open
        raise Refused(409, "contract_closed", "La saisie de ce contrat est close : aucun document ne peut plus y "
                                              "être ajouté.", {"contract_id": contract_id})
    raise Refused(403, "read_only", "Votre compte peut consulter cet indicateur mais pas y ajouter de documents.",
                  {"contract_id": contract_id, "indicator_id": indicator_id})


# -- messages' attachments ----------------------------------------------------------------------------------------
# A thread belongs to its contract (contracts) or its CPOM (cpom), which say who reads it — the private notes for
# the authority only — as they do for the contract or the CPOM itself.
THREAD_PATHS = {"contracts": ("contracts", "/contracts/{}/messages"), "cpoms": ("cpom", "/cpoms/{}/messages")}


def thread(scope: str, scope_id: str) -> dict:
    """The owning service's thread for the caller (its refusal as is: 404 for a contract or CPOM not seen)."""
    service, path = THREAD_PATHS[scope]
    return ask(service, path.format(scope_id))


def message(scope: str, scope_id: str, message_id: str) -> dict:
    service, path = THREAD_PATHS[scope]
    return ask(service, path.format(scope_id) + f"/{message_id}")


def may_attach(scope: str, scope_id: str, message_id: str, user_id: str) -> None:
    """Documents are joined to a message by its author, as its pièces jointes."""
    if message(scope, scope_id, message_id)["author"]["user_id"] != user_id:
        raise Refused(403, "not_author", "Seul l'auteur du message peut y joindre des documents.",
                      {"message_id": message_id})


def message_visible(scope: str, scope_id: str, message_id: str) -> bool:
    try:
        message(scope, scope_id, message_id)
    except Refused as refused:
        if refused.status == 503:
            raise
        return False
    return True


def visible(contract_id: str, indicator_id: str) -> bool:
    """For a document fetched by id: hidden (False) whatever the reason contracts gives."""
    try:
        indicator(contract_id, indicator_id)
    except Refused as refused:
        if refused.status == 503:
            raise
        return False
    return True
