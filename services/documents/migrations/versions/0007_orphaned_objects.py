"""S3 objects without a metadata row (an upload whose row was lost: the database connection died after the object
was completed), found by `reconcile-objects` and the worker's hourly job (services/documents/orphans.py) and
listed on the support dashboard; and each run's counts.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
S = "documents"


def upgrade() -> None:
    op.create_table(
        "orphaned_objects",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("bucket", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document_id", sa.Text),
        sa.Column("original_name", sa.Text),
        sa.Column("uploaded_by", sa.Text),
        sa.Column("owner", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "object_reconciliations",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("checked", sa.Integer, nullable=False),
        sa.Column("found", sa.Integer, nullable=False),
        sa.Column("orphaned", sa.Integer, nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("object_reconciliations", schema=S)
    op.drop_table("orphaned_objects", schema=S)
