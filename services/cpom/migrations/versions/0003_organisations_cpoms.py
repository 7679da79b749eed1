"""Organisations (EJ, ET), the CPOM sheet (planning, validation, team, perimeter, amendments) and the
CPOM audit log.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0003"
down_revision = "0002"
S = "cpom"
FINESS = "char_length({0}) = 9"


def at(name="created_at"):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def upgrade() -> None:
    op.create_table(
        "ej",
        sa.Column("finess", sa.Text, primary_key=True),
        sa.Column("raison_sociale", sa.Text, nullable=False),
        sa.Column("adresse", sa.Text, nullable=False),
        sa.Column("telephone", sa.Text, nullable=False, server_default=""),
        sa.Column("departement", sa.Text, nullable=False),
        at(), at("updated_at"),
        sa.CheckConstraint(FINESS.format("finess"), name="ej_finess_length"),
        schema=S,
    )
    op.create_table(
        "et",
        sa.Column("finess", sa.Text, primary_key=True),
        sa.Column("ej_finess", sa.Text, sa.ForeignKey(f"{S}.ej.finess"), nullable=False),
        sa.Column("nom", sa.Text, nullable=False),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("domaine", sa.Text, nullable=False),
        sa.Column("adresse", sa.Text, nullable=False),
        sa.Column("departement", sa.Text, nullable=False),
        at(), at("updated_at"),
        sa.CheckConstraint(FINESS.format("finess"), name="et_finess_length"),
        schema=S,
    )
    op.create_index("et_ej_finess", "et", ["ej_finess"], schema=S)
    op.create_index("et_region", "et", ["region"], schema=S)
    op.create_table(
        "cpoms",
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("nom", sa.Text, nullable=False, unique=True),
        sa.Column("ej_finess", sa.Text, sa.ForeignKey(f"{S}.ej.finess"), nullable=False),
        sa.Column("statut", sa.Text, nullable=False),
        sa.Column("competence", sa.Text, nullable=False),
        sa.Column("departements", ARRAY(sa.Text), nullable=False),
        sa.Column("date_effet", sa.Date),
        sa.Column("date_echeance", sa.Date),
        sa.Column("annee_dialogue_gestion", sa.Integer),
        sa.Column("phase_diagnostic_planifiee", sa.Date),
        sa.Column("phase_negociation_planifiee", sa.Date),
        sa.Column("date_signature_cible", sa.Date),
        sa.Column("date_echeance_initiale", sa.Date),
        sa.Column("fin_diagnostic", sa.Date),
        sa.Column("fin_negociation", sa.Date),
        sa.Column("validation_ars", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("validation_ars_le", sa.DateTime(timezone=True)),
        sa.Column("validation_ars_par", sa.Text),
        sa.Column("validation_cd", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("validation_cd_le", sa.DateTime(timezone=True)),
        sa.Column("validation_cd_par", sa.Text),
        sa.Column("created_by", sa.Text, nullable=False, server_default=""),
        at(), at("updated_at"),
        sa.CheckConstraint("statut IN ('preparation','lancement','diagnostic','negociation','signature','suivi')",
                           name="cpoms_statut"),
        sa.CheckConstraint("competence IN ('ARS','CD','Conjointe')", name="cpoms_competence"),
        sa.CheckConstraint("cardinality(departements) > 0", name="cpoms_departements"),
        sa.CheckConstraint("date_echeance > date_effet", name="cpoms_echeance_after_effet"),
        schema=S,
    )
    op.create_index("cpoms_ej_finess", "cpoms", ["ej_finess"], schema=S)
    op.create_table(
        "cpom_etablissements",
        sa.Column("cpom_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.cpoms.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("et_finess", sa.Text, sa.ForeignKey(f"{S}.et.finess"), primary_key=True),
        schema=S,
    )
    op.create_table(
        "equipe",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("cpom_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.cpoms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("equipe", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("nom_complet", sa.Text, nullable=False),
        sa.Column("fonction", sa.Text, nullable=False, server_default=""),
        sa.Column("telephone", sa.Text, nullable=False, server_default=""),
        sa.Column("telephone_mobile", sa.Text, nullable=False, server_default=""),
        sa.Column("courriel", sa.Text, nullable=False, server_default=""),
        sa.CheckConstraint("equipe IN ('referent','co_referent','autorites','etablissement')", name="equipe_equipe"),
        schema=S,
    )
    op.create_index("equipe_cpom_id", "equipe", ["cpom_id"], schema=S)
    op.create_table(
        "avenants",
        sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
        sa.Column("cpom_id", UUID(as_uuid=False), sa.ForeignKey(f"{S}.cpoms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("numero", sa.Integer, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("objet", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        at(),
        sa.UniqueConstraint("cpom_id", "numero"),
        schema=S,
    )
    op.create_index("avenants_cpom_id", "avenants", ["cpom_id"], schema=S)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("cpom_id", UUID(as_uuid=False)),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("user_id", UUID(as_uuid=False)),
        sa.Column("email", sa.Text),
        sa.Column("role", sa.Text),
        sa.Column("request_id", sa.Text),
        sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        schema=S,
    )
    op.create_index("audit_log_cpom_id", "audit_log", ["cpom_id"], schema=S)


def downgrade() -> None:
    for table in ("audit_log", "avenants", "equipe", "cpom_etablissements", "cpoms", "et", "ej"):
        op.drop_table(table, schema=S)
