"""Who fills a restricted (grey) indicator: the collaborators of the contract's EJ, the holders of each
restriction, and « Réattribuer » by the EJ's Administrateur (a collaborator leaves, another takes over).

A restriction names users (and, from the ARS, roles); everybody else sees the indicator grey. The closing
refusal names grey indicators apart from red ones, with who must fill them (closing_refusal)."""

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts import access, audit, domain
from services.contracts.calendar_tables import contacts
from services.contracts.orm import contracts, habilitations, restrictions

NO_LONGER_THERE = "un compte qui n'a pas ou plus accès à l'EJ"
NOT_ADMINISTRATEUR = ApiError(403, "not_administrateur", "Seul un Administrateur de l'EJ peut réattribuer un "
                                                         "indicateur à accès restreint.")

# The EJ's collaborators (granted the EJ or the contract :contract_id) with their address and flag: one row each.
COLLABORATORS = (
    sa.select(habilitations.c.user_id, sa.func.min(contacts.c.email).label("email"),
              sa.func.bool_or(habilitations.c.administrateur).label("administrateur"))
    .outerjoin(contacts, contacts.c.habilitation_id == habilitations.c.habilitation_id)
    .where(sa.or_(
        sa.and_(habilitations.c.scope_type == "ej", habilitations.c.scope_id == sa.select(contracts.c.ej_finess)
                .where(contracts.c.id == sa.bindparam("contract_id")).scalar_subquery()),
        sa.and_(habilitations.c.scope_type == "contract",
                habilitations.c.scope_id == sa.cast(sa.bindparam("contract_id"), sa.Text))))
    .group_by(habilitations.c.user_id))


_people = COLLABORATORS.subquery()
# The contract's restrictions, each row with the EJ's collaborators as JSON (an uncorrelated subquery: computed
# once): opening a contract reads who holds its grey indicators without a statement of its own.
RESTRICTIONS_AND_PEOPLE = sa.select(restrictions, sa.select(sa.func.coalesce(sa.func.json_agg(sa.func.json_build_object(
    "user_id", _people.c.user_id, "email", _people.c.email, "administrateur", _people.c.administrateur)),
    sa.text("'[]'::json"))).scalar_subquery().label("collaborators")).where(
    restrictions.c.contract_id == sa.bindparam("contract_id"))


def by_address(rows) -> dict[str, dict]:
    return {row["user_id"]: dict(row) for row in sorted(rows, key=lambda r: r["email"] or "")}


def collaborators(session: Connection, contract_id: str) -> dict[str, dict]:
    """user id → {"user_id", "email", "administrateur"}, sorted by address."""
    return by_address(session.execute(COLLABORATORS, {"contract_id": contract_id}).mappings())


def restrictions_and_people(session: Connection, contract_id: str) -> tuple[dict, dict[str, dict]]:
    """access.restrictions_of() and, when there are any, collaborators(): one statement."""
    rows = session.execute(RESTRICTIONS_AND_PEOPLE, {"contract_id": contract_id}).mappings().all()
    return {row["indicator_code"]: row for row in rows}, by_address(rows[0]["collaborators"]) if rows else {}


def holders_of(restriction, people: dict[str, dict]) -> list[str]:
    """Who may fill a restricted indicator, as a person reads it: addresses, then roles."""
    if restriction is None:
        return []
    named = [(people.get(user_id) or {}).get("email") or NO_LONGER_THERE for user_id in restriction["user_ids"]]
    return [*dict.fromkeys(named), *(f"les comptes « {role} »" for role in restriction["roles"])]


def can_reassign(identity: Identity, contract, people: dict[str, dict]) -> bool:
    return (contract["status"] == domain.AUTO_EVALUATION and identity.role == "etablissement"
            and bool((people.get(identity.user_id) or {}).get("administrateur")))


def closing_refusal(identity: Identity, absent: list[dict], rules: dict, people: dict[str, dict],
                    fill: int) -> ApiError:
    """« Clore la saisie » refused: red indicators (the caller can fill them) apart from grey ones (restricted to
    somebody else), each grey one with who must fill it."""
    red, grey = [], []
    for item in absent:
        restriction = rules.get(item["indicator"])
        if access.accessible(identity, restriction):
            red.append(item)
        else:
            grey.append({**item, "holders": holders_of(restriction, people)})
    parts = []
    if red:
        parts.append(f"{len(red)} indicateur(s) à renseigner (pastille rouge)")
    if grey:
        names = sorted({name for item in grey for name in item["holders"]})
        parts.append(f"{len(grey)} indicateur(s) en pastille grise, non accessible(s) à votre compte, à renseigner "
                     f"par {', '.join(names) or NO_LONGER_THERE}")
    return ApiError(409, "incomplete", "Impossible de clore la saisie : " + " ; ".join(parts)
                    + ". Le remplissage doit être à 100 %.", {"missing": red, "grey": grey, "fill_percentage": fill})


def reassign(session: Connection, identity: Identity, contract_id: str, code: str, user_ids: list[str]) -> dict:
    """« Réattribuer »: the EJ's Administrateur gives a restricted indicator to other collaborators of the EJ.
    Audited (field "holders", addresses before and after) and announced (contracts.indicator.reassigned)."""
    contract = access.load(session, identity, contract_id, lock=True)
    people = collaborators(session, contract_id)
    if not (people.get(identity.user_id) or {}).get("administrateur") or identity.role != "etablissement":
        raise NOT_ADMINISTRATEUR
    if contract["status"] != domain.AUTO_EVALUATION:
        raise ApiError(409, "contract_closed", "Le contrat est en CONSULTATION : ses indicateurs ne peuvent plus "
                                               "être réattribués.")
    restriction = access.restrictions_of(session, contract_id).get(code)
    if restriction is None:
        raise ApiError(404, "not_restricted", "Cet indicateur n'est pas à accès restreint : tout collaborateur de "
                                              "l'EJ peut le renseigner.")
    strangers = [user_id for user_id in user_ids if user_id not in people]
    if not user_ids or strangers:
        raise ApiError(422, "validation_failed", "Choisissez un ou plusieurs collaborateurs de l'EJ.",
                       {"user_ids": "collaborateurs de l'EJ attendus" + (f" ({len(strangers)} inconnu(s))"
                                                                        if strangers else "")})
    chosen = list(dict.fromkeys(user_ids))
    before, after = holders_of(restriction, people), holders_of({**restriction, "user_ids": chosen}, people)
    session.execute(restrictions.update().where(restrictions.c.contract_id == contract_id,
                                                restrictions.c.indicator_code == code).values(user_ids=chosen))
    audit.record(session, identity, contract_id, "holders", before, after, indicator_code=code)
    audit.publish(session, "contracts.indicator.reassigned", {
        "contract_id": contract_id, "indicator_code": code, "user_ids": chosen,
        "previous_user_ids": list(restriction["user_ids"]), "by_user_id": identity.user_id})
    return {"indicator_code": code, "holders": after}
