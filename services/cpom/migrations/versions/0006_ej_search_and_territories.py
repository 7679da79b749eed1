"""Region scale (issue 21): the indexes of the home list's last filters — « Rechercher » an EJ by part of its
FINESS or name (trigrams, for ILIKE '%…%'), and a CD's EJs and CPOMs by « Départements concernés »
(GIN on the array, for `departements @> ARRAY[…]`). EXPLAIN of each in bench/README.md « Region scale ».

Revision ID: 0006
Revises: 0005
"""

from alembic import op

from ecars_common.migrations import create_extension

revision = "0006"
down_revision = "0005"
S = "cpom"


def upgrade() -> None:
    create_extension(op, "pg_trgm")  # trusted: no superuser needed
    op.execute(f"CREATE INDEX ej_search ON {S}.ej USING gin ((finess || ' ' || raison_sociale) gin_trgm_ops)")
    op.execute(f"CREATE INDEX cpoms_departements ON {S}.cpoms USING gin (departements)")


def downgrade() -> None:
    op.execute(f"DROP INDEX {S}.cpoms_departements")
    op.execute(f"DROP INDEX {S}.ej_search")
