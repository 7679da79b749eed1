"""The ARS back-office contract: a closed self-evaluation reaches the durable queue
backoffice.transmissions, valid against its documented schema, and the example CLI reads and acks it."""

import json
import subprocess
import sys

import httpx

from ecars_common.events import check
from tests.conftest import TEST_QUEUE_PREFIX
from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.identity import bearer


def test_a_closed_evaluation_reaches_the_back_office_queue_and_the_cli_reads_it(gateway, stack):
    drain = [sys.executable, "-m", "backoffice", "tail", "--timeout", "2", "--queue",
             f"{TEST_QUEUE_PREFIX}backoffice.transmissions"]
    subprocess.run(drain, env=stack.env(), capture_output=True, timeout=120, check=True)  # what earlier tests left
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        assert save(gateway, setup, code, answers).status_code == 200
    receipt = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).json()["receipt_hash"]

    tail = subprocess.run([*drain[:-2], "--count", "1", "--timeout", "15", "--queue", drain[-1]], env=stack.env(),
                          capture_output=True, text=True, timeout=60, check=True)
    [line] = tail.stdout.splitlines()
    event = json.loads(line)
    assert (event["type"], event["version"], event["subject"]) == ("contracts.evaluation.closed", 1,
                                                                   setup.contract_id)
    envelope = check(event["event"])  # valid against the catalogue's schema
    assert envelope.data["receipt_hash"] == receipt and envelope.data["ej_finess"] == setup.finess
    # acknowledged: nothing is left for the next reader
    again = subprocess.run(drain, env=stack.env(), capture_output=True, text=True, timeout=60, check=True)
    assert again.stdout == ""
