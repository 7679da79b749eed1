"""The habilitations projection keeps auth's version of each
habilitation and a tombstone for a revoked one, so that events handled out of order (a retried grant after its
revocation) cannot bring it back (ecars_common.projection, docs/events.md); the runs of
`reconcile-habilitations` (ecars_common.reconcile), whose last counts the support dashboard shows.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from ecars_common import habilitations, reconcile

revision = "0006"
down_revision = "0005"
S = "cpom"


def upgrade() -> None:
    habilitations.make_ordering_proof(op, S)
    reconcile.create_table(op, S)


def downgrade() -> None:
    op.drop_table("reconciliations", schema=S)
    for table in ("habilitations",):
        for column in ("version", "removed"):
            op.drop_column(table, column, schema=S)
