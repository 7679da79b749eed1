"""The establishment's self-evaluation: read the contract, save an indicator, close the entry."""

from datetime import UTC, datetime
from functools import cache

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import JSONB, insert

from ecars_common import outbox
from ecars_common.errors import ApiError
from ecars_common.events import new_envelope
from ecars_common.logs import request_id_var
from ecars_common.tokens import Identity
from services.contracts import (
    access,
    campaign_indicators,
    contacts,
    deadlines,
    domain,
    drafts,
    flags,
    holders,
    previous_campaign,
    receipt,
)
from services.contracts.audit import change_status, field_label, publish, visible
from services.contracts.entry_access import CLOSED, find_indicator, open_for_entry
from services.contracts.orm import (
    audit,
    contracts,
    indicator_answers,
    indicator_documents,
    indicator_drafts,
    receipts,
)


def answers_of(session: Connection, contract_id: str) -> dict[str, dict]:
    rows = session.execute(sa.select(indicator_answers).where(indicator_answers.c.contract_id == contract_id))
    return {row.indicator_code: row._asdict() for row in rows}


def documents_of(session: Connection, contract_id: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    rows = session.execute(sa.select(indicator_documents).where(indicator_documents.c.contract_id == contract_id)
                           .order_by(indicator_documents.c.added_at))
    for row in rows:
        out.setdefault(row.indicator_code, []).append(
            {"document_id": row.document_id, "name": row.name, "sha256": row.sha256, "size": row.size})
    return out


def values_by_indicator(saved: dict[str, dict]) -> dict[str, dict]:
    return {code: row["answers"] for code, row in saved.items()}


def contract_view(session: Connection, identity: Identity, contract_id: str) -> dict:
    """The contract form: the blue banner (status, fill %), and every indicator with its dot."""
    contract = access.load(session, identity, contract_id)
    indicators = campaign_indicators.indicators_of(session, contract["campaign_id"])
    rules, people = holders.restrictions_and_people(session, contract_id)
    return contract_view_of(session, identity, contract, indicators, answers_of(session, contract_id), rules, people)


def contract_view_of(session: Connection, identity: Identity, contract, indicators: list[domain.Indicator],
                     saved: dict[str, dict], rules: dict, people: dict[str, dict]) -> dict:
    """`rules` and `people`: holders.restrictions_and_people()."""
    values = values_by_indicator(saved)
    listed = []
    for indicator in indicators:
        restriction = rules.get(indicator.code)
        open_to_me = access.accessible(identity, restriction)
        mine = values.get(indicator.code, {})
        unanswered = [q.label for q in indicator.questions if q.required and mine.get(q.code) is None]
        listed.append({"code": indicator.code, "label": indicator.label, "category": indicator.category,
                       "dot": domain.dot(indicator, mine, open_to_me), "filled": not unanswered,
                       "unanswered": unanswered,
                       "hidden": access.hidden_from(identity, restriction),
                       "restricted": restriction is not None, "holders": holders.holders_of(restriction, people)})
    reassigns = holders.can_reassign(identity, contract, people)
    return {**summary(contract), "fill_percentage": domain.fill_percentage(indicators, values),
            "editable": contract["status"] == domain.AUTO_EVALUATION and access.is_member(session, identity, contract),
            "indicators": listed, "can_reassign": reassigns,
            "collaborators": [{"user_id": p["user_id"], "email": p["email"]} for p in people.values()
                              if p["email"]] if reassigns else []}


def summary(contract) -> dict:
    return {"id": contract["id"], "name": contract["name"], "status": contract["status"],
            "entry_open": contract["status"] == domain.AUTO_EVALUATION, "review": contract["review"],
            "version": contract["version"], "receipt_hash": contract["receipt_hash"],
            "ej": {"finess": contract["ej_finess"], "raison_sociale": contract["ej_raison_sociale"],
                   "adresse": contract["ej_adresse"], "telephone": contract["ej_telephone"]},
            "campaign": {"id": contract["campaign_id"], "name": contract["campaign_name"],
                         "evaluated_year": contract["evaluated_year"], "region": contract["region"]},
            "calendar": deadlines.calendar_of(contract["opens_on"], contract["campaign_closes_on"],
                                              contract["closes_on"], contract["status"] == domain.AUTO_EVALUATION,
                                              deadlines.today_in_paris())}


def indicator_view(session: Connection, identity: Identity, contract_id: str, code: str) -> dict:
    """An indicator « sous le contrat »: Réalisé, Commentaire évalué <année>, its documents, its history."""
    contract = access.load(session, identity, contract_id)
    indicator = find_indicator(session, contract, code)
    restriction = access.restrictions_of(session, contract_id).get(code)
    if access.hidden_from(identity, restriction):
        raise ApiError(403, "indicator_not_accessible", "Cet indicateur n'est pas accessible à votre compte.")
    history = session.execute(
        sa.select(audit).where(audit.c.contract_id == contract_id, audit.c.indicator_code == code,
                               visible(access.is_authority(identity, contract)))
        .order_by(audit.c.id.desc()).limit(HISTORY)).mappings()
    detail = indicator_detail(session, identity, contract, indicator, restriction,
                              answers_of(session, contract_id).get(code, {}),
                              documents_of(session, contract_id).get(code, []), history)
    return {**detail, **entry_aids(session, identity, contract, indicator, detail["editable"])}


def entry_aids(session: Connection, identity: Identity, contract, indicator: domain.Indicator, editable: bool) -> dict:
    """What the page shows to help entering data (issue 18): last campaign's values, the caller's draft (while they
    may fill it in), and the ARS's « À suivre » flag (to the ARS only)."""
    authority = access.is_authority(identity, contract)
    return {"previous": previous_campaign.previous_view(session, contract, indicator),
            "draft": drafts.draft_of(session, contract["id"], indicator.code, identity.user_id) if editable else None,
            "flag": flags.flag_of(session, contract["id"], indicator.code) if authority else None,
            "can_flag": authority}


HISTORY = 200  # the latest changes of an indicator shown with it


def indicator_detail(session: Connection, identity: Identity, contract, indicator: domain.Indicator, restriction,
                     saved: dict, documents: list[dict], history) -> dict:
    """An indicator's page from what was read (its saved answer row, documents and latest history rows): the
    single indicator's view and the whole contract's export both build it, each reading in its own way."""
    open_to_me = access.accessible(identity, restriction)
    values = saved.get("answers", {})
    comment_label = f"Commentaire évalué {contract['evaluated_year']}"
    return {
        "contract": summary(contract), "code": indicator.code, "label": indicator.label,
        "category": indicator.category, "dot": domain.dot(indicator, values, open_to_me),
        "comment_label": comment_label,
        "editable": open_to_me and contract["status"] == domain.AUTO_EVALUATION
        and access.is_member(session, identity, contract),
        "version": saved.get("version", 0), "comment": saved.get("comment", ""),
        "questions": [{**{k: (list(v) if isinstance(v, tuple) else v) for k, v in q.__dict__.items()},
                       "value": values.get(q.code), "display": domain.display(q, values.get(q.code)),
                       "rule": q.number_rule().hint() if q.kind in ("number", "percentage") else ""}
                      for q in indicator.questions],
        "documents": documents,
        "audit": [{"at": row["at"].isoformat(), "by": row["by_email"], "field": row["field"],
                   "label": field_label(row["field"], indicator, comment_label), "old": row["old"],
                   "new": row["new"], "reason": row["reason"]} for row in history],
    }


def save(session: Connection, identity: Identity, contract_id: str, code: str, raw_answers: dict, comment: str,
         version: int) -> dict:
    """« Enregistrer »: all answers of the indicator are checked; nothing is saved unless all are right.
    `version` is the one the user's form was read at: an older one means somebody saved in between."""
    # Read without a lock, with the indicator's restriction and saved answer in the same row; the write below takes
    # the contract's row lock and checks again, in the same statement, that the contract is still open and the
    # answer still at the version read: saves of one contract queue only for their write, not their whole request.
    contract, indicator = open_for_entry(session, identity, contract_id, code)
    previous = (previous_campaign.previous_values(session, contract, code)
                if any(q.tolerance is not None for q in indicator.questions) else None)
    checked = domain.check_answers(indicator, raw_answers, comment, deadlines.today_in_paris(), previous)
    if checked.errors:
        raise ApiError(422, "validation_failed", "Certaines valeurs ne sont pas valides : rien n'a été enregistré.",
                       checked.errors)
    current_version = contract["answer_version"] if contract["saved"] is not None else 0
    if version != current_version:
        raise stale(contract)
    old_values, old_comment = (contract["answers"], contract["answer_comment"]) if contract["saved"] else ({}, "")
    changes = [(q.code, old_values.get(q.code), checked.values[q.code]) for q in indicator.questions
               if old_values.get(q.code) != checked.values[q.code]]
    if comment.strip() != old_comment:
        changes.append(("comment", old_comment, comment.strip()))
    new_version = current_version + 1
    # The contract's answered required questions move by this indicator's difference, in the write statement.
    filled, required = domain.required_filled(indicator, checked.values)
    filled_delta = filled - domain.required_filled(indicator, old_values)[0]
    envelope = new_envelope("contracts.indicator.saved", {
        "contract_id": contract_id, "indicator_code": code, "version": new_version, "by_user_id": identity.user_id,
        "changed": [name for name, _, _ in changes]}, source="contracts", correlation_id=request_id_var.get())
    # One statement for the answer, its audit rows, the contract's version and the event (data-modifying CTEs),
    # where each used to be a round trip: the writes were a third of a save's cost (bench/README.md).
    written = session.execute(save_statement(bool(changes)), {
        "p_contract_id": contract_id, "p_code": code, "p_answers": checked.values, "p_comment": comment.strip(),
        "p_version": new_version, "p_expected": current_version, "p_user_id": identity.user_id,
        "p_email": identity.email, "p_filled_delta": filled_delta,
        "audit_rows": [{"contract_id": contract_id, "indicator_code": code, "field": name, "old": old, "new": new,
                        "by_user": identity.user_id, "by_email": identity.email} for name, old, new in changes],
        **outbox.event_values("contracts", envelope)}).first()
    if written is None:  # closed, or saved by somebody else, since it was read: nothing is kept (rolled back)
        now = access.load(session, identity, contract_id, indicator=code)
        raise CLOSED if now["status"] != domain.AUTO_EVALUATION else stale(now)
    return {"version": new_version, "dot": domain.VERTE if filled == required else domain.ROUGE,
            "changed": [name for name, _, _ in changes]}


def stale(contract) -> ApiError:
    """409 for a save sent with an older version than the indicator's (the row of access.load(…, indicator=…))."""
    saved = contract["saved"] is not None
    by = contract["answer_updated_by_email"] if saved else None
    return ApiError(409, "stale_version", "Cet indicateur a été modifié entre-temps" + (f" par {by}" if by else "")
                    + " : rechargez la page pour voir ses valeurs actuelles avant d'enregistrer.",
                    {"current_version": contract["answer_version"] if saved else 0})


@cache
def save_statement(with_audit: bool) -> sa.Select:
    """A save's write (:p_… parameters), one statement of sibling data-modifying CTEs built once (building it at
    every save cost more CPU than running it): the contract's version bump, which takes its row lock and happens
    only while it is open (AUTO-EVALUATION: « Clore la saisie » locks the same row); the answer's upsert, only then
    and only if the answer is still at :p_expected; then, only if the answer was written, the audit rows
    (:audit_rows; `with_audit`) and the event (outbox.event_values). The version bump also adds :p_filled_delta to
    the contract's answered required questions (its fill percentage follows, a generated column). Returns a row if
    the save was made, else none."""
    def param(name: str, column: str) -> sa.BindParameter:
        return sa.bindparam(name, type_=indicator_answers.c[column].type)

    contract_id = param("p_contract_id", "contract_id")
    changed = {"answers": param("p_answers", "answers"), "comment": param("p_comment", "comment"),
               "version": param("p_version", "version"), "updated_by": param("p_user_id", "updated_by"),
               "updated_by_email": param("p_email", "updated_by_email")}
    contract_version = (contracts.update()
                        .where(contracts.c.id == contract_id, contracts.c.status == domain.AUTO_EVALUATION)
                        .values(version=contracts.c.version + 1, filled_questions=contracts.c.filled_questions
                                + sa.bindparam("p_filled_delta", type_=sa.Integer))
                        .returning(contracts.c.id).cte("contract_version"))
    columns = ["contract_id", "indicator_code", *changed]
    answer = (insert(indicator_answers)
              .from_select(columns, sa.select(contract_id, param("p_code", "indicator_code"), *changed.values())
                           .select_from(contract_version))
              .on_conflict_do_update(index_elements=["contract_id", "indicator_code"],
                                     set_={**changed, "updated_at": sa.func.now()},
                                     where=indicator_answers.c.version == param("p_expected", "version"))
              .returning(indicator_answers.c.version).cte("answer"))
    draft = (indicator_drafts.delete()
             .where(indicator_drafts.c.contract_id == contract_id,
                    indicator_drafts.c.indicator_code == param("p_code", "indicator_code"),
                    indicator_drafts.c.user_id == param("p_user_id", "updated_by"), outbox.returned_a_row(answer))
             .returning(indicator_drafts.c.user_id).cte("draft_removed"))  # « Enregistrer » ends the saver's draft
    writes = [contract_version, answer, draft]
    if with_audit:
        writes.append(insert_audit_rows(answer).cte("audit_rows"))
    return outbox.event_statement("contracts", *writes, when=answer)


AUDIT_COLUMNS = ("contract_id", "indicator_code", "field", "old", "new", "by_user", "by_email")


def insert_audit_rows(when: sa.CTE) -> sa.Insert:
    """INSERT of audit rows given as one JSON parameter (:audit_rows, read by jsonb_to_recordset), made only if the
    CTE `when` returned a row: one statement whatever the number of rows, where a multi-row VALUES would be a new
    statement for each count."""
    recordset = sa.func.jsonb_to_recordset(sa.bindparam("audit_rows", type_=JSONB)).table_valued(
        *(sa.column(name, audit.c[name].type) for name in AUDIT_COLUMNS)).render_derived(with_types=True)
    return audit.insert().from_select(AUDIT_COLUMNS, sa.select(*(recordset.c[name] for name in AUDIT_COLUMNS))
                                      .where(outbox.returned_a_row(when)))


def snapshot(session: Connection, contract) -> dict:
    indicators = campaign_indicators.indicators_of(session, contract["campaign_id"])
    saved = answers_of(session, contract["id"])
    docs = documents_of(session, contract["id"])
    return {
        "contract": {"id": contract["id"], "name": contract["name"], "ej_finess": contract["ej_finess"],
                     "ej_raison_sociale": contract["ej_raison_sociale"], "campaign": contract["campaign_name"],
                     "evaluated_year": contract["evaluated_year"]},
        "indicators": [{"code": i.code, "label": i.label,
                        "answers": saved.get(i.code, {}).get("answers", {}),
                        "comment": saved.get(i.code, {}).get("comment", ""),
                        "documents": [{"name": d["name"], "sha256": d["sha256"]} for d in docs.get(i.code, [])]}
                       for i in indicators],
    }


def close(session: Connection, identity: Identity, contract_id: str) -> dict:
    """« Clore la saisie »: only at 100 % with no red dot; then CONSULTATION, a receipt, the event."""
    contract = access.load(session, identity, contract_id, lock=True)
    if contract["status"] != domain.AUTO_EVALUATION:
        raise CLOSED
    if not access.is_member(session, identity, contract):
        raise ApiError(403, "read_only", "Seul l'établissement peut clore sa saisie.")
    indicators = campaign_indicators.indicators_of(session, contract["campaign_id"])
    values = values_by_indicator(answers_of(session, contract_id))
    absent = domain.missing(indicators, values)
    if absent:
        raise holders.closing_refusal(identity, absent, access.restrictions_of(session, contract_id),
                                      holders.collaborators(session, contract_id),
                                      domain.fill_percentage(indicators, values))
    frozen = snapshot(session, contract)
    digest = domain.receipt_hash(frozen)
    now = datetime.now(UTC)
    session.execute(receipts.insert().values(contract_id=contract_id, snapshot=frozen, hash=digest,
                                             closed_by=identity.user_id, closed_at=now))
    change_status(session, identity, contract_id, domain.AUTO_EVALUATION, domain.CONSULTATION, receipt_hash=digest)
    session.execute(indicator_drafts.delete().where(indicator_drafts.c.contract_id == contract_id))
    publish(session, "contracts.evaluation.closed", {
        "contract_id": contract_id, "contract_name": contract["name"], "ej_finess": contract["ej_finess"],
        "ej_raison_sociale": contract["ej_raison_sociale"], "campaign": contract["campaign_name"],
        "evaluated_year": contract["evaluated_year"], "region": contract["region"],
        "closed_at": now.isoformat(), "closed_by_user_id": identity.user_id, "closed_by_email": identity.email,
        "referent_email": contract["referent_email"], "receipt_hash": digest,
        "receipt": receipt.document_of(contract, frozen, digest, now, identity.email, 100),  # 100 %: the rule
        "contacts": contacts.emails_of(session, [contract_id])[contract_id]})
    return {"status": domain.CONSULTATION, "receipt_hash": digest}
