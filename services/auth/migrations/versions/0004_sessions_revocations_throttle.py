"""Sessions (one per sign-in, per device), token revocations (« not before »), progressive login delays.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0004"
down_revision = "0003"
S = "auth"


def upgrade() -> None:
    op.add_column("users", sa.Column("tokens_not_before", sa.DateTime(timezone=True)), schema=S)
    op.create_table(
        "sessions",
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.users.id"), nullable=False),
        sa.Column("user_agent", sa.Text, nullable=False, server_default=""),
        sa.Column("client_address", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("ended_reason", sa.Text),
        schema=S,
    )
    op.create_index("sessions_user", "sessions", ["user_id"], schema=S)
    op.add_column("refresh_tokens", sa.Column("session_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.sessions.id")),
                  schema=S)
    op.create_index("refresh_tokens_session", "refresh_tokens", ["session_id"], schema=S)
    op.create_table(
        "token_revocations",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_index("token_revocations_recorded", "token_revocations", ["recorded_at"], schema=S)
    op.add_column("login_throttle", sa.Column("last_failure_at", sa.DateTime(timezone=True)), schema=S)
    op.add_column("login_throttle", sa.Column("next_attempt_at", sa.DateTime(timezone=True)), schema=S)
    # the aggregated audit rows of a flood are found by action, address and time
    op.create_index("audit_log_flood", "audit_log", ["action", "client_address", "at"], schema=S)


def downgrade() -> None:
    op.drop_index("audit_log_flood", "audit_log", schema=S)
    op.drop_column("login_throttle", "next_attempt_at", schema=S)
    op.drop_column("login_throttle", "last_failure_at", schema=S)
    op.drop_table("token_revocations", schema=S)
    op.drop_column("refresh_tokens", "session_id", schema=S)
    op.drop_table("sessions", schema=S)
    op.drop_column("users", "tokens_not_before", schema=S)
