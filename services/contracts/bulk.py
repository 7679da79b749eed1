"""Bulk actions on a campaign's contracts (docs/campaigns.md « Actions groupées »): the ARS selects contracts by
checkbox (their ids) or by the progress table's filters, then reminds them, accepts the closed ones, reopens them
with a reason or extends their deadline. Each contract is done once (ids are deduplicated; a repeated action is
refused, not done twice: reminded today already, accepted already, not closed, not a later date), in a savepoint
of its own so that one refusal undoes nothing of the others, with the audit row and event of the single action.
The answer says, contract by contract, what was done and what was refused and why."""

from collections import Counter
from datetime import date

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts import audit, campaigns, contacts, domain, extensions, fill, progress, reminders
from services.contracts.bulk_request import BulkRequest
from services.contracts.calendar_rows import with_campaign
from services.contracts.orm import contracts


class Refused(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code, self.reason = code, reason


def selection(campaign_id: str, wanted: BulkRequest) -> sa.Select:
    query = with_campaign().add_columns(contracts.c.receipt_hash)
    if wanted.contract_ids is not None:
        query = query.where(contracts.c.campaign_id == campaign_id, contracts.c.id.in_(wanted.contract_ids))
    else:
        query = query.where(*wanted.criteria.conditions(campaign_id))
    return query.order_by(sa.func.lower(contracts.c.ej_raison_sociale), contracts.c.id).with_for_update(of=contracts)


def remind(session: Connection, identity: Identity, contract, wanted: BulkRequest, today: date) -> dict:
    if contract["status"] != domain.AUTO_EVALUATION:
        raise Refused("not_open", "La saisie est close : il n'y a rien à relancer.")
    recipients = contacts.emails_of(session, [contract["id"]])[contract["id"]]
    if not recipients:
        raise Refused("no_contact", "Aucun contact de l'établissement n'a d'adresse : personne à relancer.")
    progress_now = fill.progress_of(session, [contract])[contract["id"]]
    if not reminders.issue(session, contract, "manual", None, today, progress_now, recipients, identity.email):
        raise Refused("already_reminded_today", "Déjà relancé aujourd'hui.")
    audit.record(session, identity, contract["id"], "reminder", None, {"kind": "manual", "recipients": len(recipients)})
    return {"recipients": len(recipients), "fill_percentage": progress_now.fill_percentage}


def accept(session: Connection, identity: Identity, contract, wanted: BulkRequest, today: date) -> dict:
    if contract["status"] == domain.CONSULTATION and contract["review"] == progress.ACCEPTE:
        raise Refused("already_accepted", "Déjà acceptée.")
    return campaigns.review(session, identity, contract["id"], "accept", "")


def reopen(session: Connection, identity: Identity, contract, wanted: BulkRequest, today: date) -> dict:
    return campaigns.review(session, identity, contract["id"], "reopen", wanted.reason)


def extend(session: Connection, identity: Identity, contract, wanted: BulkRequest, today: date) -> dict:
    return extensions.extend(session, identity, contract, wanted.closes_on, wanted.reason, today)


ACT = {"remind": remind, "accept": accept, "reopen": reopen, "extend": extend}


def who(contract) -> dict:
    return {"contract_id": contract["id"], "name": contract["name"], "ej_finess": contract["ej_finess"],
            "ej_raison_sociale": contract["ej_raison_sociale"]}


def run(session: Connection, identity: Identity, campaign_id: str, wanted: BulkRequest, today: date) -> dict:
    campaigns.load_campaign(session, identity, campaign_id)
    rows = session.execute(selection(campaign_id, wanted)).mappings().all()
    done, refused = [], []
    if wanted.contract_ids is not None:
        found = {row["id"] for row in rows}
        refused = [{"contract_id": cid, "code": "not_found", "reason": "Contrat introuvable dans cette campagne."}
                    for cid in wanted.contract_ids if cid not in found]
    for row in rows:
        try:
            with session.begin_nested():
                outcome = ACT[wanted.action](session, identity, row, wanted, today)
        except Refused as exc:
            refused.append({**who(row), "code": exc.code, "reason": exc.reason})
        except ApiError as exc:
            refused.append({**who(row), "code": exc.code, "reason": exc.message})
        else:
            done.append({**who(row), **outcome})
    return {"action": wanted.action, "selected": len(wanted.contract_ids or rows),
            "done": done, "refused": refused,
            "counts": {"done": len(done), "refused": len(refused),
                       "refused_by_code": dict(Counter(r["code"] for r in refused))}}
