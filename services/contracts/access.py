"""Who may read or fill a contract: the establishment's users from the habilitations projection
(interlocutors of the EJ, or users granted the contract), the ARS of the campaign's region."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ecars_common import habilitations
from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts.orm import campaigns, contracts, indicator_answers, restrictions

SCHEMA = "contracts"
NOT_FOUND = ApiError(404, "not_found", "Contrat introuvable.")


def is_member(session: Session, identity: Identity, contract) -> bool:
    """An establishment user granted the contract or its EJ. A contract from load() carries the answer
    (its `member` column); any other row is looked up in the projection."""
    if identity.role != "etablissement":
        return False
    if "member" in contract:
        return bool(contract["member"])
    return any(habilitations.grant_of(session, SCHEMA, identity.user_id, scope, scope_id) is not None
               for scope, scope_id in (("contract", contract["id"]), ("ej", contract["ej_finess"])))


def membership(identity: Identity):
    """is_member() as a column of the contract's query: no round trip of its own."""
    if identity.role != "etablissement":
        return sa.false().label("member")
    return habilitations.granted_on_any(SCHEMA, identity.user_id, [
        ("contract", sa.cast(contracts.c.id, sa.Text)), ("ej", contracts.c.ej_finess)]).label("member")


def is_authority(identity: Identity, campaign) -> bool:
    return identity.role == "admin" or (identity.role == "ars" and identity.region == campaign["region"])


def load(session: Session, identity: Identity, contract_id: str, lock: bool = False):
    """The contract and its campaign, if the caller may see it; 404 otherwise (ids are not guessable,
    and a stranger learns nothing about which exist). One statement, the caller's membership included."""
    query = (sa.select(contracts, campaigns.c.region, campaigns.c.evaluated_year,
                       campaigns.c.name.label("campaign_name"), membership(identity))
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


def restriction_and_answer(session: Session, contract_id: str, code: str):
    """An indicator's restriction and its saved answer in one round trip: one row whose `restricted`,
    `roles`, `user_ids`, `hidden` come from its restriction (NULL without one) and whose `saved`,
    `answers`, `comment`, `version`, `updated_by_email` from its answer (NULL before the first save)."""
    one = sa.select(sa.literal(1).label("one")).subquery("one")
    return session.execute(
        sa.select(restrictions.c.indicator_code.label("restricted"), restrictions.c.roles, restrictions.c.user_ids,
                  restrictions.c.hidden, indicator_answers.c.indicator_code.label("saved"),
                  indicator_answers.c.answers, indicator_answers.c.comment, indicator_answers.c.version,
                  indicator_answers.c.updated_by_email)
        .select_from(one.outerjoin(restrictions, sa.and_(restrictions.c.contract_id == contract_id,
                                                         restrictions.c.indicator_code == code))
                     .outerjoin(indicator_answers, sa.and_(indicator_answers.c.contract_id == contract_id,
                                                           indicator_answers.c.indicator_code == code)))
    ).mappings().one()


def accessible(identity: Identity, restriction) -> bool:
    """An indicator restricted to named users or roles is grey for everybody else."""
    if restriction is None:
        return True
    return identity.user_id in restriction["user_ids"] or identity.role in restriction["roles"]
