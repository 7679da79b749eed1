"""Indexes by which the worker purges the outbox rows sent and the inbox rows received past the retention
(ecars_common.housekeeping).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from ecars_common import housekeeping

revision = "0004"
down_revision = "0003"
S = "notifications"


def upgrade() -> None:
    housekeeping.create_indexes(op, S)


def downgrade() -> None:
    housekeeping.drop_indexes(op, S)
