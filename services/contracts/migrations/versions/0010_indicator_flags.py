"""« À suivre » (issue 18): the ARS flags an indicator's values of a contract for follow-up, with a note; the
campaign's page lists them and its exports carry the note.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0010"
down_revision = "0009"
S = "contracts"


def upgrade() -> None:
    op.create_table(
        "indicator_flags",
        sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.contracts.id"), primary_key=True),
        sa.Column("indicator_code", sa.Text, primary_key=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("flagged_by", UUID(as_uuid=False)),
        sa.Column("flagged_by_email", sa.Text),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("indicator_flags", schema=S)
