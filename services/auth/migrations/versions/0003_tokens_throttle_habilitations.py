"""Signing keys, refresh tokens, reset grants, login throttle, habilitations.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
S = "auth"


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.Text, primary_key=True),
        sa.Column("private_pem", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.users.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index("refresh_tokens_user", "refresh_tokens", ["user_id"], schema=S)
    op.create_table(
        "reset_grants",
        sa.Column("token_hash", sa.Text, primary_key=True),
        sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.users.id"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "habilitations",
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.users.id"), nullable=False),
        sa.Column("scope_type", sa.Text, nullable=False),
        sa.Column("scope_id", sa.Text, nullable=False),
        sa.Column("administrateur", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("visibilite_documents_confidentiels", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("granted_by", UUID(as_uuid=False)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("user_id", "scope_type", "scope_id"),
        sa.CheckConstraint("scope_type IN ('ej','contract','cpom')", name="habilitations_scope_type"),
        schema=S,
    )
    op.create_index("habilitations_user", "habilitations", ["user_id"], schema=S)
    op.create_index("habilitations_scope", "habilitations", ["scope_type", "scope_id"], schema=S)


def downgrade() -> None:
    for table in ("habilitations", "login_throttle", "reset_grants", "refresh_tokens", "signing_keys"):
        op.drop_table(table, schema=S)
