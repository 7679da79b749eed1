"""The web sessions of the gateway, server-side (issue 16).

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(36)),
        sa.Column("auth_session_id", sa.String(36)),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema="gateway",
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"], schema="gateway")
    op.create_index("ix_web_sessions_auth_session_id", "web_sessions", ["auth_session_id"], schema="gateway")
    op.create_index("ix_web_sessions_last_seen_at", "web_sessions", ["last_seen_at"], schema="gateway")


def downgrade() -> None:
    op.drop_table("web_sessions", schema="gateway")
