"""The campaign's calendar: opening and closing dates of the entry, a contract's own closing date (an
extension), the locks the closing date made, the reminders sent, and the contacts' addresses.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0005"
down_revision = "0004"
S = "contracts"


def _at(name: str):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.add_column("campaigns", sa.Column("opens_on", sa.Date), schema=S)
    op.add_column("campaigns", sa.Column("closes_on", sa.Date), schema=S)
    op.create_check_constraint("campaigns_calendar", "campaigns", "closes_on >= opens_on", schema=S)
    op.add_column("contracts", sa.Column("closes_on", sa.Date), schema=S)
    op.create_table(
        "deadline_locks",
        sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.contracts.id"), primary_key=True),
        sa.Column("closes_on", sa.Date, primary_key=True),
        _at("locked_at"), schema=S,
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("contract_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.contracts.id"), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("closes_on", sa.Date),
        sa.Column("offset_days", sa.Integer),
        sa.Column("sent_on", sa.Date, nullable=False),
        sa.Column("event_id", UUID(as_uuid=False), nullable=False),
        sa.Column("recipients", sa.Integer, nullable=False),
        sa.Column("by_email", sa.Text),
        _at("sent_at"),
        sa.CheckConstraint("kind IN ('automatic', 'manual')", name="reminders_kind"),
        schema=S,
    )
    op.create_index("reminders_automatic_once", "reminders", ["contract_id", "closes_on", "offset_days"], unique=True,
                    schema=S, postgresql_where=sa.text("kind = 'automatic'"))
    op.create_index("reminders_manual_daily", "reminders", ["contract_id", "sent_on"], unique=True, schema=S,
                    postgresql_where=sa.text("kind = 'manual'"))
    op.create_table(
        "contacts",
        sa.Column("habilitation_id", UUID(as_uuid=False), primary_key=True),
        sa.Column("scope_type", sa.Text, nullable=False),
        sa.Column("scope_id", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        schema=S,
    )
    op.create_index("contacts_scope", "contacts", ["scope_type", "scope_id"], schema=S)


def downgrade() -> None:
    for table in ("contacts", "reminders", "deadline_locks"):
        op.drop_table(table, schema=S)
    op.drop_column("contracts", "closes_on", schema=S)
    op.drop_constraint("campaigns_calendar", "campaigns", schema=S)
    op.drop_column("campaigns", "closes_on", schema=S)
    op.drop_column("campaigns", "opens_on", schema=S)
