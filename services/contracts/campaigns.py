"""The ARS side: campaigns from an indicator template, contracts for EJs, restrictions, and the review of a closed
contract (accept or reopen); the establishment's lists. The region's progress table is in progress.py."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common import habilitations, roles
from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts import access, campaign_indicators, contacts, domain
from services.contracts.audit import change_status, publish, record
from services.contracts.orm import audit, campaigns, contracts, receipts, restrictions

AUTHORITY_ONLY = ApiError(403, "forbidden", "Réservé aux agents de l'ARS.")


def require_ars(identity: Identity) -> None:
    if identity.role not in ("ars", "admin"):
        raise AUTHORITY_ONLY


def create_campaign(session: Connection, identity: Identity, name: str, year: int, starts_on: date, ends_on: date,
                    region: str, template: list[domain.Indicator], opens_on: date | None = None,
                    closes_on: date | None = None) -> dict:
    require_ars(identity)
    if identity.role == "ars" and region != identity.region:
        raise ApiError(403, "forbidden", "Une ARS ne crée des campagnes que pour sa région.")
    row = session.execute(campaigns.insert().values(
        name=name, evaluated_year=year, starts_on=starts_on, ends_on=ends_on, region=region, opens_on=opens_on,
        closes_on=closes_on, template=domain.template_as_json(template), created_by=identity.user_id)
        .returning(campaigns.c.id)).one()
    return {"id": row.id, "name": name, "evaluated_year": year, "region": region, "indicators": len(template)}


def load_campaign(session: Connection, identity: Identity, campaign_id: str):
    require_ars(identity)
    row = session.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).mappings().first()
    if row is None or (identity.role == "ars" and row["region"] != identity.region):
        raise ApiError(404, "not_found", "Campagne introuvable.")
    return row


def create_contract(session: Connection, identity: Identity, campaign_id: str, fields: dict) -> dict:
    campaign = load_campaign(session, identity, campaign_id)
    required = domain.required_questions(campaign_indicators.indicators_of(session, campaign_id))
    row = session.execute(contracts.insert().values(campaign_id=campaign_id, required_questions=required, **fields)
                          .returning(contracts.c.id)).one()
    announce(session, {"id": row.id, "campaign_id": campaign_id, **fields}, campaign["region"])
    return {"id": row.id, **fields}


def announce(session: Connection, contract: dict, region: str) -> None:
    """`contracts.contract.created`: the referential (cpom, owner of the EJs) learns that the EJ has a contract, in
    which region, and the EJ's name and address as the contract copies them (for an EJ it does not hold yet)."""
    publish(session, "contracts.contract.created", {
        "contract_id": contract["id"], "campaign_id": contract["campaign_id"], "contract_name": contract["name"],
        "ej_finess": contract["ej_finess"], "ej_raison_sociale": contract["ej_raison_sociale"],
        "ej_adresse": contract.get("ej_adresse") or "", "ej_telephone": contract.get("ej_telephone") or "",
        "region": region})


def restrict(session: Connection, identity: Identity, contract_id: str, code: str, roles: list[str],
             user_ids: list[str], hidden: bool) -> dict:
    contract = access.load(session, identity, contract_id)
    if not access.is_authority(identity, contract):
        raise AUTHORITY_ONLY
    if code not in {i.code for i in campaign_indicators.indicators_of(session, contract["campaign_id"])}:
        raise ApiError(404, "not_found", "Indicateur introuvable dans ce contrat.")
    values = {"roles": roles, "user_ids": user_ids, "hidden": hidden}
    session.execute(insert(restrictions).values(contract_id=contract_id, indicator_code=code, **values)
                    .on_conflict_do_update(index_elements=["contract_id", "indicator_code"], set_=values))
    return {"indicator_code": code, **values}


def review(session: Connection, identity: Identity, contract_id: str, decision: str, reason: str) -> dict:
    """Accept a closed contract, or reopen it with a reason (the receipt stays on record)."""
    contract = access.load(session, identity, contract_id, lock=True)
    if not access.is_authority(identity, contract):
        raise AUTHORITY_ONLY
    if contract["status"] != domain.CONSULTATION:
        raise ApiError(409, "not_closed", "Le contrat n'est pas clos : il est encore en AUTO-EVALUATION.")
    if decision == "accept":
        session.execute(contracts.update().where(contracts.c.id == contract_id).values(review="ACCEPTE"))
        record(session, identity, contract_id, "review", None, "ACCEPTE")
        return {"status": domain.CONSULTATION, "review": "ACCEPTE"}
    change_status(session, identity, contract_id, domain.CONSULTATION, domain.AUTO_EVALUATION, reason)
    last_closer = session.execute(
        sa.select(audit.c.by_email).where(audit.c.contract_id == contract_id, audit.c.field == "status",
                                          audit.c.new == sa.func.to_jsonb(domain.CONSULTATION))
        .order_by(audit.c.id.desc()).limit(1)).scalar()
    publish(session, "contracts.evaluation.reopened", {
        "contract_id": contract_id, "contract_name": contract["name"], "ej_finess": contract["ej_finess"],
        "ej_raison_sociale": contract["ej_raison_sociale"], "reason": reason, "reopened_by_email": identity.email,
        "establishment_email": last_closer or "", "previous_receipt_hash": contract["receipt_hash"] or "",
        # the contract's contacts: a contract the closing date locked has no closer, and was emailed to nobody
        "recipients": contacts.emails_of(session, [contract_id])[contract_id]})
    return {"status": domain.AUTO_EVALUATION, "review": None}


# -- the establishment's lists ----------------------------------------------------------------------

EJ_SORTS = {"adresse": contracts.c.ej_adresse, "telephone": contracts.c.ej_telephone}


def my_ejs(session: Connection, identity: Identity, sort: str, descending: bool, page: int,
           page_size: int) -> tuple[list[dict], int]:
    """« Gestion des contrats »: the EJs the user is interlocutor of (or whose contracts they were
    granted) that have contracts; the ARS sees its region's. One page, sorted (case-insensitively) in SQL, and
    the number of EJs."""
    columns = (contracts.c.ej_finess, contracts.c.ej_raison_sociale, contracts.c.ej_adresse,
               contracts.c.ej_telephone)
    query = sa.select(*columns).distinct()
    if identity.role in roles.CAMPAIGN_AUTHORITIES:
        if identity.role == roles.ARS:
            query = query.join(campaigns, campaigns.c.id == contracts.c.campaign_id).where(
                campaigns.c.region == identity.region)
    elif identity.role == roles.ETABLISSEMENT:
        ejs = habilitations.scopes_of(session, "contracts", identity.user_id, "ej")
        granted = habilitations.scopes_of(session, "contracts", identity.user_id, "contract")
        query = query.where(sa.or_(contracts.c.ej_finess.in_(ejs), contracts.c.id.in_(granted)))
    else:
        return [], 0
    listed = query.subquery()
    key = sa.func.lower(listed.c[EJ_SORTS.get(sort, contracts.c.ej_raison_sociale).name])
    order = [key.desc() if descending else key.asc(), *(listed.c[c.name] for c in columns)]
    total = session.execute(sa.select(sa.func.count()).select_from(listed)).scalar_one()
    rows = session.execute(sa.select(listed).order_by(*order).limit(page_size).offset((page - 1) * page_size))
    return [dict(r) for r in rows.mappings()], total


def contracts_of_ej(session: Connection, identity: Identity, finess: str) -> list[dict]:
    """« LISTE DES CONTRATS » of an EJ: those the caller may open, with the fill percentage each keeps."""
    rows = session.execute(
        sa.select(contracts.c.id).where(contracts.c.ej_finess == finess).order_by(contracts.c.created_at.desc())
    ).scalars().all()
    visible = []
    for contract_id in rows:
        try:
            contract = access.load(session, identity, contract_id)
        except ApiError:
            continue
        visible.append({"id": contract_id, "name": contract["name"], "status": contract["status"],
                        "campaign": contract["campaign_name"], "evaluated_year": contract["evaluated_year"],
                        "fill_percentage": contract["fill_percentage"]})
    return visible



def closings(session: Connection, identity: Identity, limit: int = 200) -> list[dict]:
    require_ars(identity)
    query = (sa.select(receipts.c.contract_id, receipts.c.closed_at, receipts.c.hash, contracts.c.name,
                       contracts.c.ej_finess, contracts.c.ej_raison_sociale, contracts.c.status, contracts.c.review)
             .join(contracts, contracts.c.id == receipts.c.contract_id)
             .join(campaigns, campaigns.c.id == contracts.c.campaign_id)
             .order_by(receipts.c.closed_at.desc()).limit(limit))
    if identity.role == "ars":
        query = query.where(campaigns.c.region == identity.region)
    return [{"contract_id": r.contract_id, "contract_name": r.name, "closed_at": r.closed_at.isoformat(),
             "receipt_hash": r.hash, "ej_finess": r.ej_finess, "ej_raison_sociale": r.ej_raison_sociale,
             "status": r.status, "review": r.review} for r in session.execute(query)]
