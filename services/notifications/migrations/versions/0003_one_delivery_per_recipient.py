"""One delivery row per event and recipient, counting attempts.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_index("deliveries_event_recipient", "deliveries", ["event_id", "recipient"], unique=True,
                    schema="notifications")


def downgrade() -> None:
    op.drop_index("deliveries_event_recipient", table_name="deliveries", schema="notifications")
