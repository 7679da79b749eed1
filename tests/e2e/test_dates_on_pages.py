"""Every date a page shows is French, in Paris time (issue 20, defect 5: « Suivi des transmissions » showed
`2026-12-02 08:09`, ISO and UTC, while the CPOM page showed 09:09)."""

import re

import httpx

from ecars_common.french import paris_moment
from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.identity import active_user, bearer
from tests.support.web import web_client

ISO = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}|\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def visible_text(html: str) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_suivi_des_transmissions_and_the_contract_show_paris_time(stack, gateway):
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        assert save(gateway, setup, code, answers).status_code == 200
    assert httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).status_code == 200
    closings = httpx.get(f"{gateway}/api/contracts/territoire/clotures", headers=bearer(setup.ars)).json()["items"]
    closed_at = next(c["closed_at"] for c in closings if c["contract_id"] == setup.contract_id)

    with web_client(gateway, setup.ars_email) as client:
        suivi = client.get("/suivi-des-transmissions")
        indicator = client.get(f"/contrats/{setup.contract_id}/indicateurs/ACC01")
    assert suivi.status_code == 200 and indicator.status_code == 200
    row = re.search(r"<tr><td>([^<]*)</td><td>Auto-évaluation close</td><td><a href=\"/contrats/"
                    + setup.contract_id, suivi.text)
    assert row, suivi.text
    assert row.group(1) == paris_moment(closed_at)  # « 02/12/2026 à 09h09 »
    for page in (suivi, indicator):
        assert not ISO.search(visible_text(page.text)), ISO.search(visible_text(page.text))


def test_the_support_dashboard_shows_paris_time(stack, gateway):
    support, _ = active_user(stack, role="support")
    with web_client(gateway, support) as client:
        client.get("/cpom/not-a-cpom")  # traffic for the dashboards
        board = client.get("/support/auth/")
    assert board.status_code == 200
    assert not ISO.search(visible_text(board.text)), ISO.search(visible_text(board.text))
