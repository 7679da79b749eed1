"""Drafts of an indicator's form (issue 18): what a person typed and did not « Enregistrer » yet, one per
contract × indicator × user, kept until they save the indicator, ignore the draft, or the entry closes.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0009"
down_revision = "0008"
S = "contracts"


def upgrade() -> None:
    op.create_table(
        "indicator_drafts",
        sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.contracts.id"), primary_key=True),
        sa.Column("indicator_code", sa.Text, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("answers", JSONB, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("base_version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("indicator_drafts", schema=S)
