"""The receipt of a closed entry (« Accusé de clôture de la saisie »), as the reporting service prints it: who closed
it and when, the fill rate, the receipt hash and every attached document with its sha256 — read from the
`receipts` row « Clore la saisie » (or the closing date) wrote. The same dict goes in the closing event (for the
emailed PDF) and is served at GET /contracts/<id>/receipt (for the downloaded one): docs/receipts.md."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import JSONB

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts import access, campaign_indicators, domain
from services.contracts.orm import audit, receipts

NOT_CLOSED = ApiError(404, "not_found", "Aucun accusé de clôture : la saisie de ce contrat n'est pas close.")


def document_of(contract, frozen: dict, digest: str, closed_at, closed_by_email: str | None,
                fill_percentage: int) -> dict:
    """The receipt as the PDF prints it (the shape of `receipt` in events/contracts.evaluation.closed.v1.json)."""
    return {
        "kind": "contract",
        "contract_id": contract["id"],
        "name": contract["name"],
        "ej": {"finess": contract["ej_finess"], "raison_sociale": contract["ej_raison_sociale"]},
        "context": f"{contract['campaign_name']} (année évaluée {contract['evaluated_year']})",
        "by": closed_by_email,
        "at": closed_at.isoformat(),
        "fill_percentage": fill_percentage,
        "hash": digest,
        "attachments": [{"where": indicator["label"], "name": d["name"], "sha256": d["sha256"]}
                        for indicator in frozen["indicators"] for d in indicator["documents"]],
    }


LATEST = (sa.select(receipts).where(receipts.c.contract_id == sa.bindparam("contract_id"))
          .order_by(receipts.c.id.desc()).limit(1))
CLOSER = (sa.select(audit.c.by_email)
          .where(audit.c.contract_id == sa.bindparam("contract_id"), audit.c.field == "status",
                 audit.c.new == sa.literal(domain.CONSULTATION, JSONB))
          .order_by(audit.c.id.desc()).limit(1))


def receipt(session: Connection, identity: Identity, contract_id: str) -> dict:
    """The receipt of the contract's current closing: its members and the ARS of its region (404 for anyone else,
    as the contract itself), 404 while the entry is open (before closing, or reopened)."""
    contract = access.load(session, identity, contract_id)
    if contract["status"] != domain.CONSULTATION:
        raise NOT_CLOSED
    row = session.execute(LATEST, {"contract_id": contract_id}).mappings().first()
    if row is None:
        raise NOT_CLOSED
    indicators = campaign_indicators.indicators_of(session, contract["campaign_id"])
    values = {i["code"]: i["answers"] for i in row["snapshot"]["indicators"]}
    closer = session.execute(CLOSER, {"contract_id": contract_id}).scalar() if row["closed_by"] else None
    return document_of(contract, row["snapshot"], row["hash"], row["closed_at"], closer,
                       domain.fill_percentage(indicators, values))
