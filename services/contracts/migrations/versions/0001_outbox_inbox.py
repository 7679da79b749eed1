"""Outbox and inbox of the contracts service.

Revision ID: 0001
Revises:
"""

from alembic import op

from ecars_common import outbox

revision = "0001"
down_revision = None


def upgrade() -> None:
    outbox.create_tables(op, "contracts")


def downgrade() -> None:
    op.drop_table("inbox", schema="contracts")
    op.drop_table("outbox", schema="contracts")
