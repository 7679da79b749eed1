"""Outbox and inbox of the notifications service.

Revision ID: 0001
Revises:
"""

from alembic import op

from ecars_common import outbox

revision = "0001"
down_revision = None


def upgrade() -> None:
    outbox.create_tables(op, "notifications")


def downgrade() -> None:
    op.drop_table("inbox", schema="notifications")
    op.drop_table("outbox", schema="notifications")
