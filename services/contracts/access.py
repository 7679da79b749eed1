"""Who may read or fill a contract: the establishment's users from the habilitations projection
(interlocutors of the EJ, or users granted the contract), the ARS of the campaign's region."""

from functools import cache

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import habilitations
from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts.orm import campaigns, contracts, indicator_answers, restrictions

SCHEMA = "contracts"
NOT_FOUND = ApiError(404, "not_found", "Contrat introuvable.")


def is_member(session: Connection, identity: Identity, contract) -> bool:
    """An establishment user granted the contract or its EJ. A contract from load() carries the answer
    (its `member` column); any other row is looked up in the projection."""
    if identity.role != "etablissement":
        return False
    if "member" in contract:
        return bool(contract["member"])
    return any(habilitations.grant_of(session, SCHEMA, identity.user_id, scope, scope_id) is not None
               for scope, scope_id in (("contract", contract["id"]), ("ej", contract["ej_finess"])))


def membership():
    """is_member() as a column of the contract's query: no round trip of its own (caller: :user_id)."""
    return habilitations.granted_on_any(SCHEMA, sa.bindparam("user_id"), [
        ("contract", sa.cast(contracts.c.id, sa.Text)), ("ej", contracts.c.ej_finess)]).label("member")


def is_authority(identity: Identity, campaign) -> bool:
    return identity.role == "admin" or (identity.role == "ars" and identity.region == campaign["region"])


@cache
def load_query(establishment: bool, lock: bool, indicator: bool = False) -> sa.Select:
    """The contract (:contract_id), its campaign and the caller's membership, built once: building a statement
    costs more CPU than running it (bench/README.md), and these run at every request. `indicator`: with the
    restriction and the saved answer of the indicator :code (see load())."""
    query = (sa.select(contracts, campaigns.c.region, campaigns.c.evaluated_year,
                       campaigns.c.name.label("campaign_name"), campaigns.c.opens_on,
                       campaigns.c.closes_on.label("campaign_closes_on"),
                       membership() if establishment else sa.false().label("member"))
             .join(campaigns, campaigns.c.id == contracts.c.campaign_id))
    if indicator:
        code = sa.bindparam("code")
        query = (query.add_columns(
            restrictions.c.indicator_code.label("restricted"), restrictions.c.roles, restrictions.c.user_ids,
            restrictions.c.hidden, indicator_answers.c.indicator_code.label("saved"), indicator_answers.c.answers,
            indicator_answers.c.comment.label("answer_comment"), indicator_answers.c.version.label("answer_version"),
            indicator_answers.c.updated_by_email.label("answer_updated_by_email"))
            .outerjoin(restrictions, sa.and_(restrictions.c.contract_id == contracts.c.id,
                                             restrictions.c.indicator_code == code))
            .outerjoin(indicator_answers, sa.and_(indicator_answers.c.contract_id == contracts.c.id,
                                                  indicator_answers.c.indicator_code == code)))
    query = query.where(contracts.c.id == sa.bindparam("contract_id"))
    return query.with_for_update(of=contracts) if lock else query


def load(session: Connection, identity: Identity, contract_id: str, lock: bool = False, indicator: str | None = None):
    """The contract and its campaign, if the caller may see it; 404 otherwise (ids are not guessable,
    and a stranger learns nothing about which exist). One statement, the caller's membership included.
    With `indicator` (a code), the row also holds that indicator's restriction — `restricted` (NULL without
    one), `roles`, `user_ids`, `hidden` — and its saved answer — `saved` (NULL before the first save),
    `answers`, `answer_comment`, `answer_version`, `answer_updated_by_email` —, still one round trip."""
    row = session.execute(load_query(identity.role == "etablissement", lock, indicator is not None),
                          {"contract_id": contract_id, "user_id": identity.user_id, "code": indicator}
                          ).mappings().first()
    if row is None or not (is_member(session, identity, row) or is_authority(identity, row)):
        raise NOT_FOUND
    return row


RESTRICTIONS_OF = sa.select(restrictions).where(restrictions.c.contract_id == sa.bindparam("contract_id"))


def restrictions_of(session: Connection, contract_id: str) -> dict:
    rows = session.execute(RESTRICTIONS_OF, {"contract_id": contract_id}).mappings()
    return {row["indicator_code"]: row for row in rows}


def accessible(identity: Identity, restriction) -> bool:
    """An indicator restricted to named users or roles is grey for everybody else."""
    if restriction is None:
        return True
    return identity.user_id in restriction["user_ids"] or identity.role in restriction["roles"]


def hidden_from(identity: Identity, restriction) -> bool:
    """A grey indicator restricted with `hidden`: not even read by the others (its page 403, left out of lists)."""
    return bool(restriction and restriction["hidden"] and not accessible(identity, restriction))
