"""Tables of the cpom service, all in its own schema "cpom"."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from ecars_common.db import service_metadata
from ecars_common.habilitations import define_table as define_habilitations
from ecars_common.messaging import define_table as define_messages
from ecars_common.outbox import define_tables

metadata = service_metadata("cpom")
outbox, inbox = define_tables(metadata)
habilitations = define_habilitations(metadata)


def _uuid(name="id"):
    return sa.Column(name, UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()"))


def _at(name="created_at"):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())


def _ref(name, target, **kw):
    return sa.Column(name, UUID(as_uuid=False), sa.ForeignKey(target, ondelete="CASCADE"), nullable=False, **kw)


# -- organisations --------------------------------------------------------------------------------

ej = sa.Table(
    "ej", metadata,
    sa.Column("finess", sa.Text, primary_key=True),  # FINESS juridique, 9 characters, leading zeros kept
    sa.Column("raison_sociale", sa.Text, nullable=False),
    sa.Column("adresse", sa.Text, nullable=False),
    sa.Column("telephone", sa.Text, nullable=False, server_default=""),
    sa.Column("departement", sa.Text, nullable=False),  # from the FINESS number
    _at(), _at("updated_at"),
    # The regions that see the EJ: those of its ETs and of its self-evaluation contracts, kept by the import and
    # the contracts' events (migration 0009), so that an ARS's list is one indexed condition.
    sa.Column("regions", ARRAY(sa.Text), nullable=False, server_default="{}"),
)

et = sa.Table(
    "et", metadata,
    sa.Column("finess", sa.Text, primary_key=True),  # FINESS géographique
    sa.Column("ej_finess", sa.Text, sa.ForeignKey(ej.c.finess), nullable=False, index=True),
    sa.Column("nom", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("domaine", sa.Text, nullable=False),
    sa.Column("adresse", sa.Text, nullable=False),
    sa.Column("departement", sa.Text, nullable=False),
    _at(), _at("updated_at"),
)

# The self-evaluation contracts of each EJ, as the contracts service announces them (contracts.contract.created):
# the home list's « has contracts » flag, and who may see the EJ (the ARS of the campaign's region, a user granted
# the contract). Indexes in migration 0005.
contrats = sa.Table(
    "contrats", metadata,
    sa.Column("contract_id", sa.Text, primary_key=True),
    sa.Column("ej_finess", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    _at(),
)

# -- the CPOM sheet -------------------------------------------------------------------------------

cpoms = sa.Table(
    "cpoms", metadata, _uuid(),
    sa.Column("nom", sa.Text, nullable=False, unique=True),
    sa.Column("ej_finess", sa.Text, sa.ForeignKey(ej.c.finess), nullable=False, index=True),
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
    _at(), _at("updated_at"),
)

cpom_etablissements = sa.Table(
    "cpom_etablissements", metadata,
    _ref("cpom_id", cpoms.c.id, primary_key=True),
    sa.Column("et_finess", sa.Text, sa.ForeignKey(et.c.finess), primary_key=True),
)

equipe = sa.Table(
    "equipe", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    _ref("cpom_id", cpoms.c.id, index=True),
    sa.Column("equipe", sa.Text, nullable=False),  # referent | co_referent | autorites | etablissement
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("nom_complet", sa.Text, nullable=False),
    sa.Column("fonction", sa.Text, nullable=False, server_default=""),
    sa.Column("telephone", sa.Text, nullable=False, server_default=""),
    sa.Column("telephone_mobile", sa.Text, nullable=False, server_default=""),
    sa.Column("courriel", sa.Text, nullable=False, server_default=""),
)

avenants = sa.Table(
    "avenants", metadata, _uuid(),
    _ref("cpom_id", cpoms.c.id, index=True),
    sa.Column("numero", sa.Integer, nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("objet", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    _at(),
    sa.UniqueConstraint("cpom_id", "numero"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("cpom_id", UUID(as_uuid=False), index=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("user_id", UUID(as_uuid=False)),
    sa.Column("email", sa.Text),
    sa.Column("role", sa.Text),
    sa.Column("request_id", sa.Text),
    sa.Column("details", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
)

# -- objectives grid ------------------------------------------------------------------------------

axes = sa.Table(
    "axes", metadata, _uuid(),
    _ref("cpom_id", cpoms.c.id, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("libelle", sa.Text, nullable=False),
    sa.UniqueConstraint("cpom_id", "code"),
)

objectifs = sa.Table(
    "objectifs", metadata, _uuid(),
    _ref("cpom_id", cpoms.c.id, index=True),
    _ref("axe_id", axes.c.id, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("libelle", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    sa.Column("perimetre_tous", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("elements_og", ARRAY(sa.Text), nullable=False, server_default="{}"),
    sa.Column("element_selectionne_og", sa.Text),
    _at("updated_at"),
    sa.UniqueConstraint("cpom_id", "code"),
)

objectif_etablissements = sa.Table(
    "objectif_etablissements", metadata,
    _ref("objectif_id", objectifs.c.id, primary_key=True),
    sa.Column("et_finess", sa.Text, sa.ForeignKey(et.c.finess), primary_key=True),
)

indicateurs = sa.Table(
    "indicateurs", metadata, _uuid(),
    _ref("cpom_id", cpoms.c.id, index=True),
    _ref("objectif_id", objectifs.c.id, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("code", sa.Text, nullable=False),
    sa.Column("libelle", sa.Text, nullable=False),
    sa.Column("type", sa.Text, nullable=False),
    sa.Column("categorie", sa.Text, nullable=False),
    sa.Column("declinaison", sa.Text, nullable=False),
    sa.Column("indications", sa.Text, nullable=False, server_default=""),
    # value rules stated in the definition (migration 0008, domain.parse_regles)
    sa.Column("regles", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.UniqueConstraint("cpom_id", "code"),
)

actions = sa.Table(
    "actions", metadata,
    _ref("objectif_id", objectifs.c.id, primary_key=True),
    sa.Column("numero", sa.Integer, primary_key=True),  # 1..5
    sa.Column("libelle", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    _at("updated_at"),
)

valeurs = sa.Table(
    "valeurs", metadata,
    _ref("indicateur_id", indicateurs.c.id, primary_key=True),
    sa.Column("et_finess", sa.Text, primary_key=True),  # "" for an indicator declined at CPOM level
    sa.Column("valeur_nombre", sa.Numeric),
    sa.Column("valeur_texte", sa.Text),
    sa.Column("valeur_booleen", sa.Boolean),
    sa.Column("numerateur", sa.Numeric),
    sa.Column("denominateur", sa.Numeric),
    sa.Column("taux", sa.Numeric),
    sa.Column("updated_by", sa.Text, nullable=False),
    _at("updated_at"),
)

remarques = sa.Table(
    "remarques", metadata, _uuid(),
    _ref("cpom_id", cpoms.c.id, index=True),
    sa.Column("texte", sa.Text, nullable=False),
    sa.Column("auteur_id", UUID(as_uuid=False)),
    sa.Column("auteur_email", sa.Text, nullable=False),
    sa.Column("auteur_role", sa.Text, nullable=False),
    _at(),
)

transmissions = sa.Table(
    "transmissions", metadata, _uuid(),
    _ref("cpom_id", cpoms.c.id, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("transmitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("transmitted_by_id", UUID(as_uuid=False)),
    sa.Column("transmitted_by_email", sa.Text, nullable=False),
    sa.Column("snapshot", JSONB, nullable=False),
    sa.Column("changes", JSONB, nullable=False),
    sa.UniqueConstraint("cpom_id", "version"),
)

# « Messages » of a CPOM between the gestionnaire and the authorities, and their private notes (ecars_common.messaging).
messages = define_messages(metadata)
