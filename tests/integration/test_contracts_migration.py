"""Migration 0004 of contracts on a database that already holds contracts: each gets the fill rate its answers
give (as the domain counts it), its EJ's département, and a `contracts.contract.created` event in the outbox that
the catalogue accepts, so that the referential (cpom) learns of the contracts created before the event existed."""

import json

import psycopg
import pytest
from alembic import command
from psycopg.rows import dict_row

from ecars_common.events import check
from ecars_common.migrations import alembic_config
from services.contracts import domain
from tests.conftest import SLOT
from tests.support.contracts import TEMPLATE

DATABASE = f"ecars_test{SLOT or ''}_migration"


@pytest.fixture
def database():
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{DATABASE}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def test_existing_contracts_get_their_fill_rate_departement_and_announcement(database):
    config = alembic_config("contracts", database)
    command.upgrade(config, "0003")
    indicators = domain.parse_template(TEMPLATE)
    answers = {"ACC01": {"REALISE": 42}, "PAR01": {"REALISE": "2023-03-15", "NOTE": None},
               "PIL02": {"FORMES": 10, "EFFECTIF": None}, "SOI01": {"REALISE": None}}
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{DATABASE}", autocommit=True,
                         row_factory=dict_row) as conn:
        campaign = conn.execute(
            "INSERT INTO contracts.campaigns (name, evaluated_year, region, starts_on, ends_on, template) "
            "VALUES ('Campagne', 2023, 'Bretagne', '2024-01-15', '2024-06-30', %s) RETURNING id",
            (json.dumps(domain.template_as_json(indicators)),)).fetchone()["id"]
        ids = {}
        for finess in ("350001202", "970100016", "220006175"):
            ids[finess] = conn.execute(
                "INSERT INTO contracts.contracts (campaign_id, name, ej_finess, ej_raison_sociale) "
                "VALUES (%s, %s, %s, %s) RETURNING id", (campaign, f"Contrat {finess}", finess, f"EJ {finess}")
            ).fetchone()["id"]
        for code, values in answers.items():
            conn.execute("INSERT INTO contracts.indicator_answers (contract_id, indicator_code, answers) "
                         "VALUES (%s, %s, %s)", (ids["350001202"], code, json.dumps(values)))

        command.upgrade(config, "head")

        stored = {row["ej_finess"]: row for row in conn.execute(
            "SELECT ej_finess, required_questions, filled_questions, fill_percentage, ej_departement "
            "FROM contracts.contracts")}
        expected = domain.fill_percentage(indicators, answers)
        assert expected == 100 * 3 // 7
        assert stored["350001202"] == {"ej_finess": "350001202", "required_questions": 7, "filled_questions": 3,
                                       "fill_percentage": expected, "ej_departement": "35"}
        assert (stored["970100016"]["fill_percentage"], stored["970100016"]["ej_departement"]) == (0, "971")
        assert stored["220006175"]["ej_departement"] == "22"
        events = [check(row["envelope"]) for row in conn.execute(
            "SELECT envelope FROM contracts.outbox WHERE type = 'contracts.contract.created' AND sent_at IS NULL")]
        assert {(e.data["contract_id"], e.data["ej_finess"], e.data["region"]) for e in events} == {
            (str(contract_id), finess, "Bretagne") for finess, contract_id in ids.items()}
        assert len({e.id for e in events}) == 3 and all(e.source == "contracts" for e in events)
