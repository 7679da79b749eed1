"""Local projection of auth's habilitations.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from ecars_common import habilitations

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    habilitations.create_table(op, "contracts")


def downgrade() -> None:
    op.drop_table("habilitations", schema="contracts")
