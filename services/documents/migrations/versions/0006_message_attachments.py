"""Documents attached to a message of a contract's or a CPOM's « Messages » (issue 18): owner_type « message », the
message's id with its contract_id or cpom_id.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0006"
down_revision = "0005"
S = "documents"
OWNERS = ("(owner_type = 'indicator' AND contract_id IS NOT NULL AND indicator_id IS NOT NULL"
          " AND cpom_id IS NULL AND folder_id IS NULL AND region IS NULL)"
          " OR (owner_type = 'folder' AND cpom_id IS NOT NULL AND folder_id IS NOT NULL"
          " AND contract_id IS NULL AND indicator_id IS NULL AND region IS NULL)"
          " OR (owner_type = 'reference' AND region IS NOT NULL"
          " AND contract_id IS NULL AND indicator_id IS NULL AND cpom_id IS NULL AND folder_id IS NULL)")
MESSAGE = (" OR (owner_type = 'message' AND message_id IS NOT NULL AND (contract_id IS NULL) <> (cpom_id IS NULL)"
           " AND indicator_id IS NULL AND folder_id IS NULL AND region IS NULL)")


def upgrade() -> None:
    op.add_column("documents", sa.Column("message_id", UUID(as_uuid=False)), schema=S)
    op.drop_constraint("documents_one_owner", "documents", schema=S)
    op.create_check_constraint("documents_one_owner", "documents", OWNERS + MESSAGE, schema=S)
    op.create_index("documents_message", "documents", ["message_id"], schema=S,
                    postgresql_where=sa.text("message_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("documents_message", "documents", schema=S)
    op.drop_constraint("documents_one_owner", "documents", schema=S)
    op.create_check_constraint("documents_one_owner", "documents", "(" + OWNERS + ")", schema=S)
    op.drop_column("documents", "message_id", schema=S)
