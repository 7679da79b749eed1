"""Each habilitation numbers its changes (`version`), which its events carry, so that the projections the other
services keep of it converge whatever the order they handle the events in (docs/events.md). Existing ones
start at 1.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
S = "auth"


def upgrade() -> None:
    op.add_column("habilitations", sa.Column("version", sa.BigInteger, nullable=False, server_default="1"), schema=S)


def downgrade() -> None:
    op.drop_column("habilitations", "version", schema=S)
