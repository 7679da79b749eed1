"""Objectives grid (axes, objectives, indicators), the gestionnaire's actions and values, remarks and
transmissions.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0004"
down_revision = "0003"
S = "cpom"


def uuid_pk():
    return sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()"))


def ref(name, target, **kw):
    return sa.Column(name, UUID(as_uuid=False), sa.ForeignKey(f"{S}.{target}", ondelete="CASCADE"), nullable=False,
                     **kw)


def at(name="created_at"):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "axes", uuid_pk(), ref("cpom_id", "cpoms.id"),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("libelle", sa.Text, nullable=False),
        sa.UniqueConstraint("cpom_id", "code"),
        schema=S,
    )
    op.create_table(
        "objectifs", uuid_pk(), ref("cpom_id", "cpoms.id"), ref("axe_id", "axes.id"),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("libelle", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("perimetre_tous", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("elements_og", ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("element_selectionne_og", sa.Text),
        at("updated_at"),
        sa.UniqueConstraint("cpom_id", "code"),
        schema=S,
    )
    op.create_index("objectifs_axe_id", "objectifs", ["axe_id"], schema=S)
    op.create_table(
        "objectif_etablissements",
        ref("objectif_id", "objectifs.id", primary_key=True),
        sa.Column("et_finess", sa.Text, sa.ForeignKey(f"{S}.et.finess"), primary_key=True),
        schema=S,
    )
    op.create_table(
        "indicateurs", uuid_pk(), ref("cpom_id", "cpoms.id"), ref("objectif_id", "objectifs.id"),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("code", sa.Text, nullable=False),
        sa.Column("libelle", sa.Text, nullable=False),
        sa.Column("type", sa.Text, nullable=False),
        sa.Column("categorie", sa.Text, nullable=False),
        sa.Column("declinaison", sa.Text, nullable=False),
        sa.Column("indications", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("cpom_id", "code"),
        sa.CheckConstraint("type IN ('quantitatif','qualitatif','taux','oui_non')", name="indicateurs_type"),
        sa.CheckConstraint("categorie IN ('accompagnement','soins','parcours','cooperation','pilotage_interne')",
                           name="indicateurs_categorie"),
        sa.CheckConstraint("declinaison IN ('et_par_et','cpom')", name="indicateurs_declinaison"),
        schema=S,
    )
    op.create_index("indicateurs_objectif_id", "indicateurs", ["objectif_id"], schema=S)
    op.create_table(
        "actions",
        ref("objectif_id", "objectifs.id", primary_key=True),
        sa.Column("numero", sa.Integer, primary_key=True),
        sa.Column("libelle", sa.Text, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        at("updated_at"),
        sa.CheckConstraint("numero BETWEEN 1 AND 5", name="actions_at_most_5"),
        schema=S,
    )
    op.create_table(
        "valeurs",
        ref("indicateur_id", "indicateurs.id", primary_key=True),
        sa.Column("et_finess", sa.Text, primary_key=True),
        sa.Column("valeur_nombre", sa.Numeric),
        sa.Column("valeur_texte", sa.Text),
        sa.Column("valeur_booleen", sa.Boolean),
        sa.Column("numerateur", sa.Numeric),
        sa.Column("denominateur", sa.Numeric),
        sa.Column("taux", sa.Numeric),
        sa.Column("updated_by", sa.Text, nullable=False),
        at("updated_at"),
        sa.CheckConstraint("denominateur IS NULL OR denominateur <> 0", name="valeurs_denominateur_not_zero"),
        schema=S,
    )
    op.create_table(
        "remarques", uuid_pk(), ref("cpom_id", "cpoms.id"),
        sa.Column("texte", sa.Text, nullable=False),
        sa.Column("auteur_id", UUID(as_uuid=False)),
        sa.Column("auteur_email", sa.Text, nullable=False),
        sa.Column("auteur_role", sa.Text, nullable=False),
        at(),
        schema=S,
    )
    op.create_index("remarques_cpom_id", "remarques", ["cpom_id"], schema=S)
    op.create_table(
        "transmissions", uuid_pk(), ref("cpom_id", "cpoms.id"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("transmitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transmitted_by_id", UUID(as_uuid=False)),
        sa.Column("transmitted_by_email", sa.Text, nullable=False),
        sa.Column("snapshot", JSONB, nullable=False),
        sa.Column("changes", JSONB, nullable=False),
        sa.UniqueConstraint("cpom_id", "version"),
        sa.CheckConstraint("version >= 1", name="transmissions_version"),
        schema=S,
    )


def downgrade() -> None:
    for table in ("transmissions", "remarques", "valeurs", "actions", "indicateurs", "objectif_etablissements",
                  "objectifs", "axes"):
        op.drop_table(table, schema=S)
