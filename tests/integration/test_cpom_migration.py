"""Migration 0006 of cpom on a referential that already holds EJs: each EJ gets the regions that see it — those of
its ETs and of its self-evaluation contracts — so that an ARS's home list, which now reads them, shows the same
EJs as before; an EJ with neither is seen by no region."""

import psycopg
import pytest
from alembic import command
from psycopg.rows import dict_row

from ecars_common.migrations import alembic_config
from tests.conftest import SLOT

DATABASE = f"ecars_test{SLOT or ''}_cpom_migration"


@pytest.fixture
def database():
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def test_existing_ejs_get_the_regions_of_their_ets_and_contracts(database):
    config = alembic_config("cpom", database)
    command.upgrade(config, "0005")
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}", autocommit=True,
                         row_factory=dict_row) as conn:
        for finess in ("350001202", "220006175", "710000068"):
            conn.execute("INSERT INTO cpom.ej (finess, raison_sociale, adresse, departement) VALUES (%s, %s, '', %s)",
                         (finess, f"EJ {finess}", finess[:2]))
        for et, ej, region in (("350002812", "350001202", "Bretagne"), ("350002820", "350001202", "Bretagne"),
                               ("140000019", "350001202", "Normandie")):
            conn.execute("INSERT INTO cpom.et (finess, ej_finess, nom, region, domaine, adresse, departement) "
                         "VALUES (%s, %s, 'ET', %s, 'Médico-social', '', %s)", (et, ej, region, et[:2]))
        conn.execute("INSERT INTO cpom.contrats (contract_id, ej_finess, region) VALUES "
                     "('c1', '220006175', 'Bretagne'), ('c2', '350001202', 'Bretagne')")

        command.upgrade(config, "head")

        assert conn.execute("SELECT finess, regions FROM cpom.ej ORDER BY finess").fetchall() == [
            {"finess": "220006175", "regions": ["Bretagne"]},
            {"finess": "350001202", "regions": ["Bretagne", "Normandie"]},
            {"finess": "710000068", "regions": []}]
        indexes = {row["indexname"] for row in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'cpom'")}
        assert {"ej_regions", "ej_search", "cpoms_departements"} <= indexes
