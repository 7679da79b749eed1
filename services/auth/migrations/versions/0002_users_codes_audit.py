"""Users, verification codes and the security audit log.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"
S = "auth"


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("civilite", sa.Text, nullable=False, server_default=""),
        sa.Column("nom", sa.Text, nullable=False),
        sa.Column("prenom", sa.Text, nullable=False),
        sa.Column("fonction", sa.Text, nullable=False, server_default=""),
        sa.Column("telephone", sa.Text, nullable=False, server_default=""),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("region", sa.Text),
        sa.Column("departement", sa.Text),
        sa.Column("password_hash", sa.Text),
        sa.Column("must_reset_password", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("email = lower(email)", name="users_email_lower"),
        sa.CheckConstraint("role IN ('etablissement','ars','cd','support','admin')", name="users_role"),
        schema=S,
    )
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("user_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.users.id"), nullable=False),
        sa.Column("code_hash", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True)),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        schema=S,
    )
    op.create_index("verification_codes_user", "verification_codes", ["user_id"], schema=S)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("user_id", UUID(as_uuid=False)),
        sa.Column("client_address", sa.Text),
        sa.Column("request_id", sa.Text),
        sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        schema=S,
    )


def downgrade() -> None:
    for table in ("audit_log", "verification_codes", "users"):
        op.drop_table(table, schema=S)
