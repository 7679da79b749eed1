"""Region scale (issue 21): the indexes of the home list's last filters — an ARS's EJs by the regions each EJ
now keeps (`ej.regions`: those of its ETs and of its self-evaluation contracts, filled here, then kept by the
import and by `contracts.contract.created`; GIN for `regions @> ARRAY[…]`), « Rechercher » an EJ by part of its
FINESS or name (trigrams, for ILIKE '%…%'), and a CD's EJs and CPOMs by « Départements concernés » (GIN on the
array, for `departements @> ARRAY[…]`). EXPLAIN of each in bench/README.md « Region scale ».

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from ecars_common.migrations import create_extension

revision = "0009"
down_revision = "0008"
S = "cpom"


# The regions of an EJ's ETs and contracts (services/cpom/organisations.py keeps it so on each import).
REGIONS_OF = (f"ARRAY(SELECT region FROM {S}.et WHERE et.ej_finess = ej.finess UNION "
              f"SELECT region FROM {S}.contrats WHERE contrats.ej_finess = ej.finess ORDER BY 1)")


def upgrade() -> None:
    op.add_column("ej", sa.Column("regions", ARRAY(sa.Text), nullable=False, server_default="{}"), schema=S)
    op.execute(f"UPDATE {S}.ej SET regions = {REGIONS_OF}")
    op.execute(f"CREATE INDEX ej_regions ON {S}.ej USING gin (regions)")
    create_extension(op, "pg_trgm")  # trusted: no superuser needed
    op.execute(f"CREATE INDEX ej_search ON {S}.ej USING gin ((finess || ' ' || raison_sociale) gin_trgm_ops)")
    op.execute(f"CREATE INDEX cpoms_departements ON {S}.cpoms USING gin (departements)")


def downgrade() -> None:
    op.execute(f"DROP INDEX {S}.cpoms_departements")
    op.execute(f"DROP INDEX {S}.ej_search")
    op.execute(f"DROP INDEX {S}.ej_regions")
    op.drop_column("ej", "regions", schema=S)
