"""Documents and CPOM folders. Documents are append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
S = "documents"


def upgrade() -> None:
    op.create_table(
        "folders",
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("cpom_id", sa.Text, nullable=False),
        sa.Column("parent_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.folders.id")),
        sa.Column("code", sa.Text),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_by", UUID(as_uuid=False)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("cpom_id", "code", name="folders_default_once"),
        sa.UniqueConstraint("cpom_id", "parent_id", "name", name="folders_unique_name",
                            postgresql_nulls_not_distinct=True),
        schema=S,
    )
    op.create_table(
        "documents",
        sa.Column("id", UUID(as_uuid=False), primary_key=True),
        sa.Column("owner_type", sa.Text, nullable=False),
        sa.Column("contract_id", sa.Text),
        sa.Column("indicator_id", sa.Text),
        sa.Column("cpom_id", sa.Text),
        sa.Column("folder_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.folders.id")),
        sa.Column("region", sa.Text),
        sa.Column("original_name", sa.Text, nullable=False),
        sa.Column("stored_name", sa.Text, nullable=False, unique=True),
        sa.Column("bucket", sa.Text, nullable=False),
        sa.Column("version_id", sa.Text),
        sa.Column("extension", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text, nullable=False),
        sa.Column("detected_type", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("uploaded_by", UUID(as_uuid=False), nullable=False),
        sa.Column("uploaded_by_email", sa.Text, nullable=False, server_default=""),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "(owner_type = 'indicator' AND contract_id IS NOT NULL AND indicator_id IS NOT NULL"
            " AND cpom_id IS NULL AND folder_id IS NULL AND region IS NULL)"
            " OR (owner_type = 'folder' AND cpom_id IS NOT NULL AND folder_id IS NOT NULL"
            " AND contract_id IS NULL AND indicator_id IS NULL AND region IS NULL)"
            " OR (owner_type = 'reference' AND region IS NOT NULL"
            " AND contract_id IS NULL AND indicator_id IS NULL AND cpom_id IS NULL AND folder_id IS NULL)",
            name="documents_one_owner"),
        sa.CheckConstraint("size >= 0 AND sha256 ~ '^[0-9a-f]{64}$'", name="documents_digest"),
        schema=S,
    )
    op.create_index("documents_by_indicator", "documents", ["contract_id", "indicator_id", "uploaded_at"], schema=S)
    op.create_index("documents_by_folder", "documents", ["folder_id", "uploaded_at"], schema=S)
    op.create_index("documents_by_region", "documents", ["region", "uploaded_at"], schema=S)
    op.execute(f"""
        CREATE FUNCTION "{S}".refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'documents are append-only: % refused on %', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE TRIGGER documents_append_only BEFORE UPDATE OR DELETE ON "{S}".documents
            FOR EACH ROW EXECUTE FUNCTION "{S}".refuse_change();
        CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON "{S}".documents
            FOR EACH STATEMENT EXECUTE FUNCTION "{S}".refuse_change();
        CREATE TRIGGER folders_no_delete BEFORE DELETE ON "{S}".folders
            FOR EACH ROW EXECUTE FUNCTION "{S}".refuse_change();
        CREATE TRIGGER folders_no_truncate BEFORE TRUNCATE ON "{S}".folders
            FOR EACH STATEMENT EXECUTE FUNCTION "{S}".refuse_change();
    """)


def downgrade() -> None:
    op.drop_table("documents", schema=S)
    op.drop_table("folders", schema=S)
    op.execute(f'DROP FUNCTION "{S}".refuse_change()')
