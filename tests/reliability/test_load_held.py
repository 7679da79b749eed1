"""Load held (issue 9), short: bench/load_bench.py's mix of the main read and write routes, through the
gateway of the test stack with wrk for a few seconds. What is asserted is what a user would see and what
is stored — no answer other than 2xx, and every write counted stored once with its audit row and its
published event — never a rate or a latency (the 60 s figures are in docs/reliability.md)."""

import shutil

import pytest

from bench.load_bench import ROUTES, check, run_load, seed, snapshot

CONNECTIONS = 3


@pytest.fixture(scope="module")
def seeded(stack):
    assert shutil.which("wrk"), "wrk is missing: make install-system (apt-get install wrk)"
    return seed(stack, users=CONNECTIONS + 1, closed=1)


def test_the_main_routes_under_load_answer_without_error_and_every_write_is_stored_once(stack, seeded):
    before = snapshot(stack, seeded, CONNECTIONS)
    load = run_load(stack, seeded, seconds=5, connections=CONNECTIONS)
    found = check(stack, seeded, before, load)

    answered = {key: route["statuses"] for key, route in load["routes"].items() if route["requests"]}
    assert all(200 <= status < 300 for statuses in answered.values() for status in statuses), answered
    assert load["socket_errors"] == 0 and load["errors"] == 0 and load["error_rate"] == 0
    assert load["writes_in_flight_at_end"] == 0
    assert found["saves_2xx"] > 0 and sum(load["routes"][key]["ok"] for key, *_ in ROUTES) > 20
    assert found["saves_stored"] == found["saves_2xx"]
    assert found["save_audit_rows"] == found["saves_2xx"]
    assert found["save_events"] == found["saves_2xx"]
    assert found["remarks_stored"] == found["remark_audit_rows"] == found["remarks_2xx"]
    assert found["entry_audit_rows"] == found["entries_2xx"]
    assert found["unsent_events"] == dict.fromkeys(found["unsent_events"], 0)
