"""« Messages » of a contract between the EJ and the ARS, and the ARS's private notes (issue 18): append-only.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from ecars_common import messaging

revision = "0008"
down_revision = "0007"
S = "contracts"


def upgrade() -> None:
    messaging.create_table(op, S)


def downgrade() -> None:
    messaging.drop_table(op, S)
