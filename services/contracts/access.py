"""Who may read or fill a contract: the establishment's users from the habilitations projection
(interlocutors of the EJ, or users granted the contract), the ARS of the campaign's region."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ecars_common import habilitations
from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts.orm import campaigns, contracts, restrictions

SCHEMA = "contracts"
NOT_FOUND = ApiError(404, "not_found", "Contrat introuvable.")


def is_member(session: Session, identity: Identity, contract) -> bool:
    return identity.role == "etablissement" and any(
        habilitations.grant_of(session, SCHEMA, identity.user_id, scope, scope_id) is not None
        for scope, scope_id in (("contract", contract["id"]), ("ej", contract["ej_finess"])))


def is_authority(identity: Identity, campaign) -> bool:
    return identity.role == "admin" or (identity.role == "ars" and identity.region == campaign["region"])


def load(session: Session, identity: Identity, contract_id: str, lock: bool = False):
    """The contract and its campaign, if the caller may see it; 404 otherwise (ids are not guessable,
    and a stranger learns nothing about which exist)."""
    query = (sa.select(contracts, campaigns.c.region, campaigns.c.evaluated_year,
                       campaigns.c.name.label("campaign_name"))
             .join(campaigns, campaigns.c.id == contracts.c.campaign_id).where(contracts.c.id == contract_id))
    if lock:
        query = query.with_for_update(of=contracts)
    row = session.execute(query).mappings().first()
    if row is None or not (is_member(session, identity, row) or is_authority(identity, row)):
        raise NOT_FOUND
    return row


def restrictions_of(session: Session, contract_id: str) -> dict:
    rows = session.execute(sa.select(restrictions).where(restrictions.c.contract_id == contract_id)).mappings()
    return {row["indicator_code"]: row for row in rows}


def accessible(identity: Identity, restriction) -> bool:
    """An indicator restricted to named users or roles is grey for everybody else."""
    if restriction is None:
        return True
    return identity.user_id in restriction["user_ids"] or identity.role in restriction["roles"]
