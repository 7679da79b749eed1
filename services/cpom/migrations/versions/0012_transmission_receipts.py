"""The receipt of a transmission (« Accusé de transmission », docs/receipts.md): the CPOM folders' documents as
the documents service announces them, and on each transmission the documents it carried and its receipt hash.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0012"
down_revision = "0011"
S = "cpom"


def upgrade() -> None:
    op.create_table(
        "folder_documents",
        sa.Column("document_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("cpom_id", sa.Text, nullable=False, index=True),
        sa.Column("folder_name", sa.Text, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.add_column("transmissions", sa.Column("documents", JSONB), schema=S)
    op.add_column("transmissions", sa.Column("receipt_hash", sa.Text), schema=S)


def downgrade() -> None:
    op.drop_column("transmissions", "receipt_hash", schema=S)
    op.drop_column("transmissions", "documents", schema=S)
    op.drop_table("folder_documents", schema=S)
