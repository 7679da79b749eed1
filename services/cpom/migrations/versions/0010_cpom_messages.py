"""« Messages » of a CPOM between the gestionnaire and the authorities, and their private notes (issue 18): append-only.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

from ecars_common import messaging

revision = "0010"
down_revision = "0009"
S = "cpom"


def upgrade() -> None:
    messaging.create_table(op, S)


def downgrade() -> None:
    messaging.drop_table(op, S)
