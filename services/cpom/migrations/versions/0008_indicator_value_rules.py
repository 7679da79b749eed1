"""An indicator's value rules (issue 20): `regles`, stated in its definition and checked at each save with the
rules the self-evaluation shares (ecars_common.values): {"entier", "minimum", "maximum", "unite"} for a
quantitatif, {"partie_d_un_tout"} for a taux (never above 100 %). Empty: the shared maximum only.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.add_column("indicateurs", sa.Column("regles", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
                  schema="cpom")


def downgrade() -> None:
    op.drop_column("indicateurs", "regles", schema="cpom")
