"""Reads of a whole contract — the contract's form and everything « EDITER LES DONNEES » prints — take a constant
number of SQL statements whatever the number of indicators (the export took one indicator view, 5 statements, per
indicator: 253 for 50), and the export says, indicator by indicator, what each indicator's own page says.

The contracts app runs in this process (its Flask test client, on the stack's database and auth keys) so that a
SQLAlchemy `before_cursor_execute` listener counts its statements, as bench/hotpaths_bench.py does."""

import httpx
import pytest
import sqlalchemy as sa

from ecars_common.tokens import TokenVerifier, http_jwks
from services.contracts.app import create_app
from services.contracts.config import Config
from tests.support.contracts import GOOD_ANSWERS, TEMPLATE, make_contract, save
from tests.support.db import connect
from tests.support.identity import bearer


def template_of(n: int) -> dict:
    """n indicators cycling through TEMPLATE's (every kind of question, a rule, an optional question)."""
    base = TEMPLATE["indicators"]
    return {"indicators": [{**base[i % len(base)], "code": f"{base[i % len(base)]['code']}_{i:03d}",
                            "label": f"{base[i % len(base)]['label']} ({i + 1})"} for i in range(n)]}


@pytest.fixture(scope="module")
def service(stack):
    app = create_app(Config(database_url=stack.database_url))
    jwks = f"http://127.0.0.1:{stack.service_port('auth')}/.well-known/jwks.json"
    app.extensions["token_verifier"] = TokenVerifier(http_jwks(jwks))
    statements = []
    sa.event.listen(app.extensions["db"].engine, "before_cursor_execute",
                    lambda conn, cursor, statement, *_: statements.append(statement))
    app.statements = statements
    return app


def filled_contract(gateway, stack, indicators: int):
    """A contract of `indicators` indicators, half of them answered (some twice: a history), one restricted to
    another user (grey, read-only), one hidden from the member, and a document on the first."""
    template = template_of(indicators)
    setup = make_contract(gateway, stack, template=template)
    codes = [item["code"] for item in template["indicators"]]
    for n, code in enumerate(codes[::2]):
        answers = GOOD_ANSWERS[code.split("_")[0]]
        assert save(gateway, setup, code, answers).status_code == 200
        if n % 3 == 0:
            assert save(gateway, setup, code, answers, comment="Revu").status_code == 200
    for code, hidden in ((codes[1], False), (codes[3], True)):
        answer = httpx.put(setup.url(gateway, f"/restrictions/{code}"), headers=bearer(setup.ars),
                           json={"roles": [], "user_ids": ["quelqu-un-d-autre"], "hidden": hidden})
        assert answer.status_code == 200, answer.text
    with connect(stack) as conn:  # what the documents service's event leaves in the contract's projection
        conn.execute("INSERT INTO contracts.indicator_documents (document_id, contract_id, indicator_code, name, "
                     "sha256, size) VALUES (gen_random_uuid(), %s, %s, 'rapport.pdf', %s, 1234)",
                     (setup.contract_id, codes[0], "0" * 64))
    return setup, codes


def counted(service, path: str, tokens: dict) -> tuple[dict, int]:
    client = service.test_client()
    assert client.get(path, headers=bearer(tokens)).status_code == 200  # warm: the template parsed once
    service.statements.clear()
    answer = client.get(path, headers=bearer(tokens))
    assert answer.status_code == 200, answer.data
    return answer.json, len(service.statements)


def test_whole_contract_reads_take_the_same_few_statements_for_6_or_50_indicators(gateway, stack, service):
    counts = {}
    for size in (6, 50):
        setup, _ = filled_contract(gateway, stack, size)
        export, counts[("export", size)] = counted(service, f"/contracts/{setup.contract_id}/export", setup.member)
        assert len(export["indicators"]) == size
        _, counts[("view", size)] = counted(service, f"/contracts/{setup.contract_id}", setup.member)
    assert counts[("export", 6)] == counts[("export", 50)] <= 6, counts  # 5, and the messages exchanged (issue 18)
    assert counts[("view", 6)] == counts[("view", 50)] <= 3, counts


def test_the_export_says_what_each_indicator_page_says(gateway, stack, service):
    setup, codes = filled_contract(gateway, stack, 12)
    export = service.test_client().get(f"/contracts/{setup.contract_id}/export", headers=bearer(setup.member)).json
    contract = httpx.get(setup.url(gateway), headers=bearer(setup.member)).json()
    assert {k: v for k, v in export.items() if k not in ("indicators", "messages")} == {
        k: v for k, v in contract.items() if k != "indicators"}
    assert export["messages"] == []  # the messages exchanged, printed last (tests/e2e/test_contract_export.py)
    by_code = {item["code"]: item for item in export["indicators"]}
    assert list(by_code) == codes
    hidden = by_code[codes[3]]
    assert hidden["hidden"] and "questions" not in hidden and hidden["dot"] == "GRISE"
    assert by_code[codes[1]]["dot"] == "GRISE" and not by_code[codes[1]]["editable"]
    assert [d["name"] for d in by_code[codes[0]]["documents"]] == ["rapport.pdf"]
    assert [a["field"] for a in by_code[codes[0]]["audit"]] == ["comment", "REALISE"]
    for code in codes:
        if code == codes[3]:
            continue
        page = httpx.get(setup.url(gateway, f"/indicators/{code}"), headers=bearer(setup.member)).json()
        # the entry aids only the indicator's form shows (issue 18: the caller's draft, last campaign's value, the
        # ARS's « À suivre »), not part of the contract's export
        page = {key: value for key, value in page.items() if key not in ("draft", "previous", "flag", "can_flag")}
        # the keys of the contract's list of indicators, that the indicator's own page does not repeat
        listed = {key: value for key, value in by_code[code].items()
                  if key not in ("hidden", "filled", "unanswered", "restricted", "holders")}
        assert listed == page, code
