"""What every contracts use case leaves behind: the contract's history (audit rows, shown on the indicator
sheet and to the authority) and the events it publishes."""

from functools import partial

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import outbox
from ecars_common.tokens import Identity
from services.contracts.orm import audit as audit_rows
from services.contracts.orm import contracts

# The events a use case publishes, in its transaction: ecars_common.outbox.publish, from contracts.
publish = partial(outbox.publish, service="contracts")

AUTHORITY_FIELDS = ("flag",)  # the ARS's own rows (« À suivre »): never shown to the establishment

# What a history row's field is called on the pages, for the fields that are not an indicator's question
CONTRACT_FIELDS = {"status": "Statut du contrat", "review": "Revue de l'ARS", "closes_on": "Date de clôture",
                   "reminder": "Relance", "message": "Message", "holders": "À renseigner par", "flag": "À suivre"}


def visible(authority: bool) -> sa.ColumnElement[bool]:
    """The history rows a reader sees: all of them for the authority; for anyone else, all but the authority's own."""
    return sa.true() if authority else audit_rows.c.field.not_in(AUTHORITY_FIELDS)


def field_label(field: str, indicator, comment_label: str) -> str:
    """The name a history row's field is shown under, the one rule of the indicator's page and of « Historique du
    contrat »: a question's label, the evaluated year's comment, or one of CONTRACT_FIELDS."""
    if indicator is not None and field not in CONTRACT_FIELDS:
        if field == "comment":
            return comment_label
        question = indicator.question(field)
        return question.label if question else field
    return CONTRACT_FIELDS.get(field, field)


def record(session: Connection, identity: Identity | None, contract_id: str, field: str, old, new,
           reason: str | None = None, indicator_code: str | None = None) -> None:
    """One change of the contract (or of one of its indicators): who (None: the platform itself, e.g. the closing
    date), which field, from, to."""
    session.execute(audit_rows.insert().values(
        contract_id=contract_id, indicator_code=indicator_code, field=field, old=old, new=new, reason=reason,
        by_user=identity.user_id if identity else None, by_email=identity.email if identity else None))


def change_status(session: Connection, identity: Identity | None, contract_id: str, old: str, new: str,
                  reason: str | None = None, **values) -> None:
    """The contract moves from `old` to `new` (closed, reopened, locked at its closing date): a new version, no
    authority review any more, `values` set with it, and the change in its history."""
    session.execute(contracts.update().where(contracts.c.id == contract_id).values(
        status=new, review=None, version=contracts.c.version + 1, **values))
    record(session, identity, contract_id, "status", old, new, reason)
