"""Tables of the contracts service, all in its own schema "contracts"."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from ecars_common.db import service_metadata
from ecars_common.habilitations import define_table as define_habilitations
from ecars_common.messaging import define_table as define_messages
from ecars_common.outbox import define_tables

metadata = service_metadata("contracts")
outbox, inbox = define_tables(metadata)
habilitations = define_habilitations(metadata)


def _id():
    return sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()"))


def _at(name="created_at"):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


# domain.fill_percentage() in SQL: 100 when nothing is required, else rounded down.
FILL_PERCENTAGE = "CASE WHEN required_questions = 0 THEN 100 ELSE (100 * filled_questions) / required_questions END"
# The EJ's département from its FINESS number, read as the referential (cpom's finess_departement) reads it.
DEPARTEMENT = ("CASE WHEN ej_finess LIKE '970_%' THEN '97' || substr(ej_finess, 4, 1) "
               "WHEN ej_finess LIKE '98%' THEN '976' ELSE left(ej_finess, 2) END")

campaigns = sa.Table(
    "campaigns", metadata, _id(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("evaluated_year", sa.Integer, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("starts_on", sa.Date, nullable=False),
    sa.Column("ends_on", sa.Date, nullable=False),
    sa.Column("opens_on", sa.Date),  # the entry's calendar (calendar.py): optional, Europe/Paris dates
    sa.Column("closes_on", sa.Date),
    sa.Column("template", JSONB, nullable=False),
    sa.Column("created_by", UUID(as_uuid=False)),
    _at(),
)

contracts = sa.Table(
    "contracts", metadata, _id(),
    sa.Column("campaign_id", UUID(as_uuid=False), sa.ForeignKey(campaigns.c.id), nullable=False, index=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("ej_finess", sa.Text, nullable=False, index=True),
    sa.Column("ej_raison_sociale", sa.Text, nullable=False),
    sa.Column("ej_adresse", sa.Text, nullable=False, server_default=""),
    sa.Column("ej_telephone", sa.Text, nullable=False, server_default=""),
    sa.Column("referent_email", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False, server_default="AUTO-EVALUATION"),
    sa.Column("review", sa.Text),  # ACCEPTE once the ARS accepted a closed contract
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("receipt_hash", sa.Text),
    sa.Column("closes_on", sa.Date),  # this contract's own closing date, once the ARS extended it
    _at(),
    # Kept at write time (migration 0004): the required questions of the campaign's template, those answered (a save
    # adds its indicator's difference in its one write statement), and the percentage the lists filter and sort on.
    sa.Column("required_questions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("filled_questions", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fill_percentage", sa.Integer, sa.Computed(FILL_PERCENTAGE, persisted=True)),
    sa.Column("ej_departement", sa.Text, sa.Computed(DEPARTEMENT, persisted=True)),
)

# Indicators restricted to named users or roles; others see them grey (read-only or hidden).
restrictions = sa.Table(
    "restrictions", metadata,
    sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(contracts.c.id), primary_key=True),
    sa.Column("indicator_code", sa.Text, primary_key=True),
    sa.Column("roles", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("user_ids", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
)

# One row per indicator of a contract once anything was saved: the answers, the comment, a version
# for optimistic concurrency.
indicator_answers = sa.Table(
    "indicator_answers", metadata,
    sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(contracts.c.id), primary_key=True),
    sa.Column("indicator_code", sa.Text, primary_key=True),
    sa.Column("answers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_by", UUID(as_uuid=False)),
    sa.Column("updated_by_email", sa.Text),
    _at("updated_at"),
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contract_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("indicator_code", sa.Text),
    sa.Column("field", sa.Text, nullable=False),  # a question code, "comment", or "status"
    sa.Column("old", JSONB),
    sa.Column("new", JSONB),
    sa.Column("by_user", UUID(as_uuid=False)),
    sa.Column("by_email", sa.Text),
    sa.Column("reason", sa.Text),
    _at("at"),
)

receipts = sa.Table(
    "receipts", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(contracts.c.id), nullable=False, index=True),
    sa.Column("snapshot", JSONB, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.Column("closed_by", UUID(as_uuid=False)),
    _at("closed_at"),
)

# Documents attached to indicators, as the documents service announced them (for receipts and export).
indicator_documents = sa.Table(
    "indicator_documents", metadata,
    sa.Column("document_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("contract_id", UUID(as_uuid=False), nullable=False, index=True),
    sa.Column("indicator_code", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    _at("added_at"),
)

# « Messages » of a contract between the EJ and the ARS, and the ARS's private notes (ecars_common.messaging).
messages = define_messages(metadata)

# What a person typed on an indicator's form and did not « Enregistrer » yet (issue 18, drafts.py): one per
# contract × indicator × user, as typed (not checked), with the answer's version it was typed over.
indicator_drafts = sa.Table(
    "indicator_drafts", metadata,
    sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(contracts.c.id), primary_key=True),
    sa.Column("indicator_code", sa.Text, primary_key=True),
    sa.Column("user_id", UUID(as_uuid=False), primary_key=True),
    sa.Column("answers", JSONB, nullable=False),
    sa.Column("comment", sa.Text, nullable=False, server_default=""),
    sa.Column("base_version", sa.Integer, nullable=False, server_default="0"),
    _at("saved_at"),
)

# « À suivre »: an indicator's values the ARS flagged for follow-up, with its note (flags.py).
indicator_flags = sa.Table(
    "indicator_flags", metadata,
    sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(contracts.c.id), primary_key=True),
    sa.Column("indicator_code", sa.Text, primary_key=True),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("flagged_by", UUID(as_uuid=False)),
    sa.Column("flagged_by_email", sa.Text),
    _at("flagged_at"),
)
