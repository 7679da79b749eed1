"""Campaigns, contracts, restrictions, answers, audit, receipts, indicator documents.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0003"
down_revision = "0002"
S = "contracts"


def _id():
    return sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()"))


def _at(name="created_at"):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "campaigns", _id(),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("evaluated_year", sa.Integer, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("template", JSONB, nullable=False),
        sa.Column("created_by", UUID(as_uuid=False)),
        _at(), schema=S,
    )
    op.create_table(
        "contracts", _id(),
        sa.Column("campaign_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.campaigns.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("ej_finess", sa.Text, nullable=False),
        sa.Column("ej_raison_sociale", sa.Text, nullable=False),
        sa.Column("ej_adresse", sa.Text, nullable=False, server_default=""),
        sa.Column("ej_telephone", sa.Text, nullable=False, server_default=""),
        sa.Column("referent_email", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.Text, nullable=False, server_default="AUTO-EVALUATION"),
        sa.Column("review", sa.Text),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("receipt_hash", sa.Text),
        _at(),
        sa.CheckConstraint("status IN ('AUTO-EVALUATION', 'CONSULTATION')", name="contracts_status"),
        schema=S,
    )
    op.create_index("contracts_campaign", "contracts", ["campaign_id"], schema=S)
    op.create_index("contracts_ej", "contracts", ["ej_finess"], schema=S)
    op.create_table(
        "restrictions",
        sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.contracts.id"), primary_key=True),
        sa.Column("indicator_code", sa.Text, primary_key=True),
        sa.Column("roles", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("user_ids", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
        schema=S,
    )
    op.create_table(
        "indicator_answers",
        sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.contracts.id"), primary_key=True),
        sa.Column("indicator_code", sa.Text, primary_key=True),
        sa.Column("answers", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("updated_by", UUID(as_uuid=False)),
        sa.Column("updated_by_email", sa.Text),
        _at("updated_at"), schema=S,
    )
    op.create_table(
        "audit",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("contract_id", UUID(as_uuid=False), nullable=False),
        sa.Column("indicator_code", sa.Text),
        sa.Column("field", sa.Text, nullable=False),
        sa.Column("old", JSONB),
        sa.Column("new", JSONB),
        sa.Column("by_user", UUID(as_uuid=False)),
        sa.Column("by_email", sa.Text),
        sa.Column("reason", sa.Text),
        _at("at"), schema=S,
    )
    op.create_index("audit_contract", "audit", ["contract_id"], schema=S)
    op.create_table(
        "receipts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.contracts.id"), nullable=False),
        sa.Column("snapshot", JSONB, nullable=False),
        sa.Column("hash", sa.Text, nullable=False),
        sa.Column("closed_by", UUID(as_uuid=False)),
        _at("closed_at"), schema=S,
    )
    op.create_index("receipts_contract", "receipts", ["contract_id"], schema=S)
    op.create_table(
        "indicator_documents",
        sa.Column("document_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("contract_id", UUID(as_uuid=False), nullable=False),
        sa.Column("indicator_code", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        _at("added_at"), schema=S,
    )
    op.create_index("indicator_documents_contract", "indicator_documents", ["contract_id"], schema=S)


def downgrade() -> None:
    for table in ("indicator_documents", "receipts", "audit", "indicator_answers", "restrictions", "contracts",
                  "campaigns"):
        op.drop_table(table, schema=S)
