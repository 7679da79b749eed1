"""Region scale (issue 21): the referential knows which EJs have self-evaluation contracts, and in which region
(`contrats`, kept from contracts' `contracts.contract.created` events), so that the home list « Gestion des
Contrats » is one paged, sorted query here; an index for every sort and visibility filter of that list.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
S = "cpom"

INDEXES = {
    ("contrats", "contrats_ej"): "ej_finess",
    ("contrats", "contrats_region"): "region, ej_finess",
    # the home list's sorts (case-insensitive, the FINESS breaking ties)
    ("ej", "ej_raison_sociale"): "lower(raison_sociale), finess",
    ("ej", "ej_adresse"): "lower(adresse), finess",
    ("ej", "ej_telephone"): "lower(telephone), finess",
    ("ej", "ej_departement"): "departement, finess",
    # who sees an EJ: an ARS by the region of its ETs, a CD by their département
    ("et", "et_region_ej"): "region, ej_finess",
    ("et", "et_departement_ej"): "departement, ej_finess",
}


def upgrade() -> None:
    op.create_table(
        "contrats",
        sa.Column("contract_id", sa.Text, primary_key=True),  # as habilitations name it (scope "contract")
        sa.Column("ej_finess", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    for (table, name), columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {S}.{table} ({columns})")
    op.drop_index("et_region", "et", schema=S)  # et_region_ej starts with region


def downgrade() -> None:
    op.create_index("et_region", "et", ["region"], schema=S)
    for (_, name) in INDEXES:
        op.execute(f"DROP INDEX {S}.{name}")
    op.drop_table("contrats", schema=S)
