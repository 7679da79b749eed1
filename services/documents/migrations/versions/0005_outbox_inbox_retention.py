"""Indexes by which the worker purges the outbox rows sent and the inbox rows received past the retention
(ecars_common.housekeeping).

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from ecars_common import housekeeping

revision = "0005"
down_revision = "0004"
S = "documents"


def upgrade() -> None:
    housekeeping.create_indexes(op, S)


def downgrade() -> None:
    housekeeping.drop_indexes(op, S)
