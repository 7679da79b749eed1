"""Accounts disabled by the support team or an admin (« Désactiver le compte »): when, and by whom.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0007"
down_revision = "0006"
S = "auth"


def upgrade() -> None:
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True)), schema=S)
    op.add_column("users", sa.Column("disabled_by", UUID(as_uuid=False)), schema=S)


def downgrade() -> None:
    op.drop_column("users", "disabled_by", schema=S)
    op.drop_column("users", "disabled_at", schema=S)
