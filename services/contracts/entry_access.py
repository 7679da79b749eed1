"""Who may fill an indicator in now, the one check a save and a draft share: the entry open, a member of the EJ,
the indicator not grey for them."""

from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts import access, campaign_indicators, domain

CLOSED = ApiError(409, "contract_closed", "Le contrat est en CONSULTATION : ses données ne sont plus modifiables.")


def find_indicator(session: Connection, contract, code: str) -> domain.Indicator:
    indicators = campaign_indicators.indicators_of(session, contract["campaign_id"])
    indicator = next((i for i in indicators if i.code == code), None)
    if indicator is None:
        raise ApiError(404, "not_found", "Indicateur introuvable dans ce contrat.")
    return indicator


def open_for_entry(session: Connection, identity: Identity, contract_id: str, code: str):
    """(the contract row of access.load(…, indicator=code), the indicator) if the caller may fill it in now: the
    entry open (else 409), a member of the EJ (403), the indicator not grey for them (403). A save and a draft."""
    contract = access.load(session, identity, contract_id, indicator=code)
    if contract["status"] != domain.AUTO_EVALUATION:
        raise CLOSED
    if not access.is_member(session, identity, contract):
        raise ApiError(403, "read_only", "Votre compte peut consulter ce contrat mais pas le renseigner.")
    indicator = find_indicator(session, contract, code)
    if not access.accessible(identity, contract if contract["restricted"] is not None else None):
        raise ApiError(403, "indicator_not_accessible", "Cet indicateur (pastille grise) n'est pas accessible "
                                                        "à votre compte : vous ne pouvez pas le modifier.")
    return contract, indicator
