"""Bad input (ASVS chapter 5): Schemathesis generates requests from each service's OpenAPI description
(services/<service>/openapi.py) — valid ones and invalid ones: wrong types, missing fields, huge strings,
unicode, nulls, boundary values, unexpected methods — and sends them THROUGH THE GATEWAY (/api/<service>/…),
each with the real access token of an ARS agent or of an établissement user (drawn from the request). No
answer may be a server error, and every answer must have a status, content type and body that the
description declares.

Path parameters are half the time the ids of a real campaign, contract, indicator, CPOM, objective and folder
these users may reach (so the writes really run), half the time what Schemathesis made up (so the 404s and
refusals run too). The requests per operation are bounded (MAX_EXAMPLES generated, and a fixed sample of
Schemathesis's boundary-value « coverage » cases) so the file runs in about a minute and a half on two cores.

Nothing is excluded: every operation of every service runs, uploads included (their generated bodies are
small)."""

import time
import zlib

import httpx
import psycopg
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ecars_common.config import SERVICES
from tests.support import cpom as cpom_support
from tests.support.contracts import grant_ej, make_contract
from tests.support.db import connect
from tests.support.identity import PASSWORD, active_user, bearer
from tests.support.services import document_of

MAX_EXAMPLES = 8  # generated requests per operation (Hypothesis), valid and invalid ones
# Schemathesis adds its « coverage » cases (each field missing, null, of the wrong type, at and past its bounds,
# unexpected methods…): several thousand in all. One in COVERAGE_SAMPLE of them is sent, the same ones each run.
COVERAGE_SAMPLE = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# The indicator template upload (.xlsx) is sent as the raw bytes generated, like application/octet-stream.
schemathesis.serializer.alias("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                              "application/octet-stream")
SCHEMAS = {service: schemathesis.openapi.from_dict(document_of(service)) for service in SERVICES}
# Operations that end their caller's sessions: they run as a throwaway user, whose tokens they may cut (the
# two users' tokens must outlive the run).
ENDING_SESSIONS = {"POST /logout", "POST /me/sessions/end-all", "DELETE /me/sessions/{session_id}"}


@pytest.fixture(scope="module")
def fuzz_world(stack, gateway):
    """An ARS agent of Bretagne and an établissement user habilitated on two EJs: one with a self-evaluation
    contract, one with a CPOM (with a grid and folders). Returns the tokens and the real path parameters."""
    setup = make_contract(gateway, stack)
    ars = cpom_support.User(setup.ars_email, "", setup.ars)
    ej = cpom_support.organisation(gateway, ars, region="Bretagne", departement="22")
    cpom = cpom_support.create_cpom(gateway, ars, ej, competence="ARS")
    grant_ej(gateway, setup.ars, ej["finess"], setup.member_email)
    grid = cpom_support.put_grid(gateway, ars, cpom["id"], cpom_support.grid_document(ej["ets"]))
    assert grid.status_code == 200, grid.text
    axe = grid.json()["axes"][0]
    objectif = axe["objectifs"][0]
    folders = httpx.get(f"{gateway}/api/documents/cpoms/{cpom['id']}/folders", headers=bearer(setup.ars))
    assert folders.status_code == 200, folders.text
    real = {"contract_id": setup.contract_id, "campaign_id": setup.campaign_id, "code": "ACC01",
            "indicator_id": "ACC01", "finess": setup.finess, "cpom_id": cpom["id"], "axe_id": axe["id"],
            "objectif_id": objectif["id"], "indicateur_id": objectif["indicateurs"][0]["id"],
            "folder_id": folders.json()["items"][0]["id"], "region": "Bretagne", "version": 1}
    yield {"tokens": {"ars": setup.ars, "etablissement": setup.member}, "real": real, "stack": stack}
    # The generated logins failed from this address: lift its lock so the tests after this file can sign in.
    for attempt in range(10):
        try:
            with connect(stack) as conn:
                conn.execute("DELETE FROM auth.login_throttle")
            break
        except psycopg.OperationalError:  # the machine's PostgreSQL is shared: wait for a free connection
            time.sleep(attempt)


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def throwaway_session(stack) -> dict:
    """A new user's tokens, signed in straight at auth from an address of its own: the generated failed logins may
    have locked the gateway's (127.0.0.1)."""
    answer = httpx.post(f"http://127.0.0.1:{stack.service_port('auth')}/login",
                        json={"email": active_user(stack)[0], "password": PASSWORD},
                        headers={"X-Forwarded-For": "198.18.250.1"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def fingerprint(case) -> int:
    """A number drawn from the generated request, so that a failing case replays the same choices."""
    return zlib.crc32(repr((case.operation.label, case.path_parameters, case.query, case.headers,
                            case.body)).encode())


def use_real_ids(case, real: dict) -> None:
    """Half of the path parameters (chosen from the generated value) become the ids of the real objects."""
    for name, value in (case.path_parameters or {}).items():
        if name in real and zlib.crc32(repr(value).encode()) % 2 == 0:
            case.path_parameters[name] = real[name]


@schemathesis.pytest.parametrize(**SCHEMAS)
@settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_generated_requests_get_no_server_error_and_only_described_answers(case, fuzz_world, gateway, http):
    drawn = fingerprint(case)
    if case.meta and case.meta.phase.name == "coverage" and (drawn >> 8) % COVERAGE_SAMPLE:
        return  # not in this run's sample of the boundary-value cases
    who = ("ars", "etablissement")[drawn % 2]
    use_real_ids(case, fuzz_world["real"])
    service = case.operation.schema.raw_schema["servers"][0]["url"]  # /api/<service>
    tokens = fuzz_world["tokens"][who]
    if service == "/api/auth" and f"{case.method.upper()} {case.path}" in ENDING_SESSIONS:
        tokens = throwaway_session(fuzz_world["stack"])
    case.call_and_validate(base_url=f"{gateway}{service}", session=http, checks=CHECKS,
                           headers=bearer(tokens), timeout=30)
