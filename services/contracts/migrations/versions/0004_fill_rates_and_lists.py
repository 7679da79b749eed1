"""Region scale (issue 21): each contract keeps its fill rate, kept at write time by the save's one statement
(`required_questions`, `filled_questions`, and `fill_percentage` computed from them), and the EJ's département
(from its FINESS) for the campaign's filters; an index for every filter and sort of the campaign's progress
table; the existing contracts are announced to the referential (cpom) by a `contracts.contract.created` event
each, written here to the outbox so that the relay publishes them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from ecars_common.migrations import create_extension

revision = "0004"
down_revision = "0003"
S = "contracts"

FILL_PERCENTAGE = "CASE WHEN required_questions = 0 THEN 100 ELSE (100 * filled_questions) / required_questions END"
DEPARTEMENT = ("CASE WHEN ej_finess LIKE '970_%' THEN '97' || substr(ej_finess, 4, 1) "
               "WHEN ej_finess LIKE '98%' THEN '976' ELSE left(ej_finess, 2) END")

# The required questions of each campaign's template, and those of each contract answered (a JSON null or a
# missing key is unanswered), as domain.required_filled() counts them.
TEMPLATE_QUESTIONS = f"""
    SELECT cp.id AS campaign_id, i->>'code' AS indicator_code, q->>'code' AS question_code
    FROM {S}.campaigns cp
    CROSS JOIN LATERAL jsonb_array_elements(cp.template->'indicators') i
    CROSS JOIN LATERAL jsonb_array_elements(i->'questions') q
    WHERE coalesce((q->>'required')::boolean, true)"""
BACKFILL_REQUIRED = f"""
    UPDATE {S}.contracts c SET required_questions = t.n
    FROM (SELECT campaign_id, count(*) AS n FROM ({TEMPLATE_QUESTIONS}) q GROUP BY campaign_id) t
    WHERE c.campaign_id = t.campaign_id"""
BACKFILL_FILLED = f"""
    UPDATE {S}.contracts c SET filled_questions = f.n
    FROM (SELECT a.contract_id, count(*) AS n
          FROM {S}.indicator_answers a
          JOIN {S}.contracts k ON k.id = a.contract_id
          JOIN ({TEMPLATE_QUESTIONS}) q ON q.campaign_id = k.campaign_id AND q.indicator_code = a.indicator_code
          WHERE jsonb_typeof(a.answers -> q.question_code) <> 'null'
          GROUP BY a.contract_id) f
    WHERE c.id = f.contract_id"""
# What campaigns.announce() publishes for a new contract, for the contracts created before this revision.
ANNOUNCE_EXISTING = f"""
    INSERT INTO {S}.outbox (event_id, type, envelope)
    SELECT e.id, 'contracts.contract.created', jsonb_build_object(
        'id', e.id, 'type', 'contracts.contract.created', 'version', 1,
        'occurred_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'),
        'source', 'contracts', 'correlation_id', NULL,
        'data', jsonb_build_object(
            'contract_id', e.contract_id, 'campaign_id', e.campaign_id, 'contract_name', e.name,
            'ej_finess', e.ej_finess, 'ej_raison_sociale', e.ej_raison_sociale, 'ej_adresse', e.ej_adresse,
            'ej_telephone', e.ej_telephone, 'region', e.region))
    FROM (SELECT gen_random_uuid() AS id, c.id::text AS contract_id, c.campaign_id::text AS campaign_id, c.name,
                 c.ej_finess, c.ej_raison_sociale, c.ej_adresse, c.ej_telephone, cp.region
          FROM {S}.contracts c JOIN {S}.campaigns cp ON cp.id = c.campaign_id ORDER BY c.created_at) e"""

# The progress table's filters and sorts, each within one campaign, the contract's id breaking ties.
INDEXES = {
    "contracts_campaign_ej_name": "campaign_id, lower(ej_raison_sociale), id",
    "contracts_campaign_finess": "campaign_id, ej_finess, id",
    "contracts_campaign_name": "campaign_id, lower(name), id",
    "contracts_campaign_status": "campaign_id, status, review, id",
    "contracts_campaign_fill": "campaign_id, fill_percentage, id",
    "contracts_campaign_departement": "campaign_id, ej_departement, id",
    # « LISTE DES CONTRATS » of an EJ, newest first
    "contracts_ej_created": "ej_finess, created_at DESC",
}


def upgrade() -> None:
    op.add_column("contracts", sa.Column("required_questions", sa.Integer, nullable=False, server_default="0"),
                  schema=S)
    op.add_column("contracts", sa.Column("filled_questions", sa.Integer, nullable=False, server_default="0"),
                  schema=S)
    op.execute(BACKFILL_REQUIRED)
    op.execute(BACKFILL_FILLED)
    for name, type_, expression in (("fill_percentage", sa.Integer, FILL_PERCENTAGE),
                                    ("ej_departement", sa.Text, DEPARTEMENT)):
        op.add_column("contracts", sa.Column(name, type_, sa.Computed(expression, persisted=True)), schema=S)
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {S}.contracts ({columns})")
    op.drop_index("contracts_campaign", "contracts", schema=S)  # the indexes above all start with campaign_id
    op.drop_index("contracts_ej", "contracts", schema=S)  # contracts_ej_created starts with ej_finess
    # Search by name or FINESS (ILIKE '%…%'): trigrams. pg_trgm is a trusted extension (no superuser needed).
    create_extension(op, "pg_trgm")
    op.execute(f"CREATE INDEX contracts_search ON {S}.contracts USING gin "
               "((ej_finess || ' ' || ej_raison_sociale) gin_trgm_ops)")
    # An indicator's history (newest first), and the export's history of every indicator at once.
    op.execute(f"CREATE INDEX audit_contract_indicator ON {S}.audit (contract_id, indicator_code, id DESC)")
    op.drop_index("audit_contract", "audit", schema=S)
    op.execute(ANNOUNCE_EXISTING)


def downgrade() -> None:
    op.execute(f"CREATE INDEX audit_contract ON {S}.audit (contract_id)")
    op.execute(f"DROP INDEX {S}.audit_contract_indicator")
    op.execute(f"DROP INDEX {S}.contracts_search")
    op.execute(f"CREATE INDEX contracts_campaign ON {S}.contracts (campaign_id)")
    op.execute(f"CREATE INDEX contracts_ej ON {S}.contracts (ej_finess)")
    for name in INDEXES:
        op.execute(f"DROP INDEX {S}.{name}")
    for column in ("ej_departement", "fill_percentage", "filled_questions", "required_questions"):
        op.drop_column("contracts", column, schema=S)
