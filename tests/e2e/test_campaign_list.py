"""« Mes campagnes » (GET /api/contracts/campaigns, page /campagnes): an ARS sees the campaigns of its region, newest
first, with their calendar and their contracts counted by status; not another region's; an établissement user is
refused. Before, a campaign was reached only from one of its contracts."""

import re

import httpx
import pytest

from tests.support.campaigns import CampaignSetup, in_days, make_campaign
from tests.support.contracts import GOOD_ANSWERS
from tests.support.identity import active_user, bearer, sign_in, web_session


def close_entry(gateway: str, setup: CampaignSetup, index: int) -> None:
    """The EJ of the campaign's contract `index` answers every indicator and « Clore la saisie »."""
    member = setup.members[index]
    url = f"{gateway}/api/contracts/contracts/{member.contract_id}"
    for code, answers in GOOD_ANSWERS.items():
        version = httpx.get(f"{url}/indicators/{code}", headers=bearer(member.tokens)).json()["version"]
        saved = httpx.put(f"{url}/indicators/{code}", headers=bearer(member.tokens),
                          json={"version": version, "answers": answers, "comment": ""})
        assert saved.status_code == 200, saved.text
    assert httpx.post(f"{url}/close", headers=bearer(member.tokens)).status_code == 200


@pytest.fixture(scope="module")
def corse(gateway, stack):
    """Two campaigns in Corse: the older with no contract, the newer (created second) with 3, one of them closed."""
    empty = make_campaign(gateway, stack, closes_on=in_days(20), contracts=0, region="Corse")
    running = make_campaign(gateway, stack, closes_on=in_days(3), contracts=3, region="Corse")
    close_entry(gateway, running, 0)
    return empty, running


def campaigns_of(gateway: str, tokens: dict) -> list[dict]:
    answer = httpx.get(f"{gateway}/api/contracts/campaigns", headers=bearer(tokens))
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_the_ars_lists_its_regions_campaigns_with_their_contracts_by_status(gateway, corse):
    empty, running = corse
    items = {item["id"]: item for item in campaigns_of(gateway, running.ars)}
    assert {empty.campaign_id, running.campaign_id} <= set(items)
    assert {item["region"] for item in items.values()} == {"Corse"}
    listed = items[running.campaign_id]
    assert (listed["contracts"], listed["closed"], listed["in_progress"], listed["accepted"]) == (3, 1, 2, 0)
    assert listed["countdown"] == "Clôture dans 3 jours" and listed["closes_on"] == in_days(3)
    assert listed["mean_fill_percentage"] == 33  # (100 + 0 + 0) / 3, rounded
    nothing = items[empty.campaign_id]
    assert (nothing["contracts"], nothing["closed"], nothing["mean_fill_percentage"]) == (0, 0, None)
    order = [item["id"] for item in campaigns_of(gateway, running.ars)]
    assert order.index(running.campaign_id) < order.index(empty.campaign_id)  # the newer first (same start date)


def test_another_regions_ars_does_not_see_them_and_an_etablissement_user_is_refused(gateway, stack, corse):
    empty, running = corse
    email, _ = active_user(stack, role="ars", region="Bretagne")
    bretagne = {item["id"] for item in campaigns_of(gateway, sign_in(gateway, email))}
    assert not {empty.campaign_id, running.campaign_id} & bretagne
    member = running.members[1].tokens
    answer = httpx.get(f"{gateway}/api/contracts/campaigns", headers=bearer(member))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert httpx.get(f"{gateway}/api/contracts/campaigns").status_code == 401


def test_the_mes_campagnes_page_links_each_campaign_and_refuses_an_etablissement_user(gateway, corse):
    empty, running = corse
    page = web_session(gateway, running.ars_email).get("/campagnes")
    assert page.status_code == 200
    assert f'href="/campagnes/{running.campaign_id}"' in page.text
    assert f'href="/campagnes/{running.campaign_id}/tableau-de-bord"' in page.text
    row = re.sub(r"<[^>]+>|\s+", " ", page.text.split(f'href="/campagnes/{running.campaign_id}"', 1)[1]
                 .split("</tr>", 1)[0])
    assert "Clôture dans 3 jours" in row and "33 %" in row
    refused = web_session(gateway, running.members[1].email).get("/campagnes")
    assert refused.status_code == 403
    assert "Réservé aux agents de l&#39;ARS." in refused.text or "Réservé aux agents de l'ARS." in refused.text
