"""Drafts of an indicator's form (issue 18, docs/data-entry.md): what a person typed and did not « Enregistrer »
yet, kept server-side per contract × indicator × user, as typed (a draft is not checked against the question's
rules and never changes the dot), so that it survives a session's end and a browser restart. « Enregistrer »
deletes the saver's draft (in its write statement, evaluation.save_statement), « Clore la saisie » every draft
of the contract."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.contracts import access, domain
from services.contracts.entry_access import find_indicator, open_for_entry
from services.contracts.orm import indicator_drafts

DRAFT_OF = sa.select(indicator_drafts).where(indicator_drafts.c.contract_id == sa.bindparam("contract_id"),
                                            indicator_drafts.c.indicator_code == sa.bindparam("code"),
                                            indicator_drafts.c.user_id == sa.bindparam("user_id"))
NO_DRAFT = ApiError(404, "not_found", "Aucun brouillon pour cet indicateur.")


def as_json(row) -> dict:
    return {"answers": row["answers"], "comment": row["comment"], "base_version": row["base_version"],
            "saved_at": row["saved_at"].isoformat()}


def draft_of(session: Connection, contract_id: str, code: str, user_id: str) -> dict | None:
    row = session.execute(DRAFT_OF, {"contract_id": contract_id, "code": code, "user_id": user_id}).mappings().first()
    return as_json(row) if row is not None else None


def checked_answers(indicator: domain.Indicator, answers: dict) -> dict:
    """A draft's answers as typed: the indicator's question codes only, each a text (at most domain.MAX_TEXT
    characters), a number, true/false or null; 422 naming each refused one."""
    errors = {}
    for code, value in answers.items():
        if indicator.question(code) is None:
            errors[code] = "question inconnue pour cet indicateur"
        elif value is not None and not isinstance(value, str | bool | int | float):
            errors[code] = "un texte, un nombre, true/false ou null est attendu"
        elif isinstance(value, str) and len(value) > domain.MAX_TEXT:
            errors[code] = f"au plus {domain.MAX_TEXT} caractères"
    if errors:
        raise ApiError(422, "validation_failed", "Le brouillon n'a pas été enregistré : certaines valeurs sont "
                                                 "refusées.", errors)
    return answers


def put(session: Connection, identity: Identity, contract_id: str, code: str, answers: dict, comment: str) -> dict:
    """Keep (or replace) the caller's draft of the indicator, only while they may fill it in (entry_access)."""
    contract, indicator = open_for_entry(session, identity, contract_id, code)
    values = {"answers": checked_answers(indicator, answers), "comment": comment,
              "base_version": contract["answer_version"] if contract["saved"] is not None else 0,
              "saved_at": sa.func.now()}
    row = session.execute(insert(indicator_drafts).values(
        contract_id=contract_id, indicator_code=code, user_id=identity.user_id, **values)
        .on_conflict_do_update(index_elements=["contract_id", "indicator_code", "user_id"], set_=values)
        .returning(indicator_drafts)).mappings().one()
    return as_json(row)


def get(session: Connection, identity: Identity, contract_id: str, code: str) -> dict:
    contract = access.load(session, identity, contract_id)
    find_indicator(session, contract, code)
    draft = draft_of(session, contract_id, code, identity.user_id)
    if draft is None:
        raise NO_DRAFT
    return draft


def delete(session: Connection, identity: Identity, contract_id: str, code: str) -> None:
    """« Ignorer »: the caller's draft is gone (whatever the contract's status: nothing is changed but the draft)."""
    contract = access.load(session, identity, contract_id)
    find_indicator(session, contract, code)
    session.execute(indicator_drafts.delete().where(indicator_drafts.c.contract_id == contract_id,
                                                    indicator_drafts.c.indicator_code == code,
                                                    indicator_drafts.c.user_id == identity.user_id))
