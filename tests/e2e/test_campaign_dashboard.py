"""The ARS's dashboard of a campaign (issue 17 §5): fill-rate distribution, counts by status and by département,
contracts closing soon with a low fill rate — the figures (GET /campaigns/<id>/figures) and the page, whose chart is
an SVG drawn on the server, each bar labelled with its value and hatched, with the same figures in a table."""

import re

import httpx

from tests.support.campaigns import add_contract, in_days, make_campaign
from tests.support.contracts import GOOD_ANSWERS
from tests.support.identity import PASSWORD, active_user, bearer, sign_in


def save(gateway, member, code):
    answer = httpx.put(f"{gateway}/api/contracts/contracts/{member.contract_id}/indicators/{code}",
                       headers=bearer(member.tokens), json={"version": 0, "answers": GOOD_ANSWERS[code]})
    assert answer.status_code == 200, answer.text


def figures(gateway, setup, tokens=None, **params):
    return httpx.get(setup.url(gateway, "/figures"), params=params, headers=bearer(tokens or setup.ars))


def campaign_of_three(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=in_days(5), contracts=2)
    full, partial = setup.members
    empty = add_contract(gateway, stack, setup, finess_prefix="35")
    for code in GOOD_ANSWERS:
        save(gateway, full, code)
    save(gateway, partial, "ACC01")
    return setup, full, partial, empty


def test_the_figures_of_the_campaign(gateway, stack):
    setup, full, partial, empty = campaign_of_three(gateway, stack)
    answer = figures(gateway, setup)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["contracts"] == 3 and body["complete"] == 1 and body["average_fill"] == 38  # (100 + 14 + 0) / 3
    assert body["by_status"] == {"AUTO-EVALUATION": 3, "CONSULTATION": 0, "ACCEPTE": 0}
    counts = {(b["from"], b["to"]): b["count"] for b in body["fill_distribution"]}
    assert len(counts) == 11 and counts[(0, 9)] == 1 and counts[(10, 19)] == 1 and counts[(100, 100)] == 1
    assert sum(counts.values()) == 3
    assert [(d["ej_departement"], d["contracts"], d["average_fill"]) for d in body["by_departement"]] == [
        ("22", 2, 57), ("35", 1, 0)]
    soon = body["closing_soon"]
    assert soon["total"] == 2 and [i["id"] for i in soon["items"]] == [empty.contract_id, partial.contract_id]
    assert soon["items"][0]["days_left"] == 5
    assert [i["id"] for i in figures(gateway, setup, fill_below="10").json()["closing_soon"]["items"]] == [
        empty.contract_id]
    assert figures(gateway, setup, within_days="4").json()["closing_soon"]["total"] == 0


def test_the_figures_refuse_bad_thresholds_and_other_callers(gateway, stack):
    setup = make_campaign(gateway, stack, closes_on=None)
    for params, field in (({"within_days": "0"}, "within_days"), ({"within_days": "abc"}, "within_days"),
                          ({"fill_below": "101"}, "fill_below"), ({"fill_below": "-3"}, "fill_below")):
        answer = figures(gateway, setup, **params)
        assert answer.status_code == 422 and field in answer.json()["error"]["details"], params
    assert figures(gateway, setup, setup.members[0].tokens).status_code == 403
    stranger, _ = active_user(stack, role="ars", region="Normandie")
    assert figures(gateway, setup, sign_in(gateway, stranger)).status_code == 404


def web_session(gateway, email) -> httpx.Client:
    browser = httpx.Client(base_url=gateway, follow_redirects=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/connexion").text).group(1)
    assert browser.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": csrf}
                        ).status_code == 200
    return browser


def test_the_dashboard_page_draws_the_chart_readable_without_colour(gateway, stack):
    setup, full, partial, empty = campaign_of_three(gateway, stack)
    browser = web_session(gateway, setup.ars_email)
    try:
        page = browser.get(f"/campagnes/{setup.campaign_id}/tableau-de-bord")
        assert page.status_code == 200, page.text
        html = page.text
        svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
        assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
        assert "0–9 % : 1" in svg and "100 % : 1" in svg  # the description says every figure
        assert len(re.findall(r"<rect [^>]*hachures", svg)) == 3  # three non-empty buckets, each hatched
        values = re.findall(r'font-weight="bold"[^>]*>(\d+)</text>', svg)
        assert values.count("1") == 3 and values.count("0") == 8  # every bar labelled with its value
        assert "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
        assert "Clos (CONSULTATION)" in html and "<td>35</td>" in html
        assert f"/contrats/{empty.contract_id}" in html and f"/contrats/{full.contract_id}" not in html
        assert f'href="/campagnes/{setup.campaign_id}/tableau-de-bord"' in browser.get(
            f"/campagnes/{setup.campaign_id}").text
        links = re.findall(r'href="(/campagnes/[^"]+/(?:export\?[^"]+|documents\.zip))"', html)
        assert len(links) == 5
        xlsx = browser.get(links[0].replace("&amp;", "&"))
        assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK" and ".xlsx" in xlsx.headers["content-disposition"]
        csv_file = browser.get(links[3].replace("&amp;", "&"))
        assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"
        assert len(csv_file.content.decode("utf-8-sig").strip().splitlines()) == 4  # header + 3 contracts (wide)
        archive = browser.get(links[4])
        assert archive.status_code == 200 and archive.headers["content-type"] == "application/zip"
        refused = browser.get(f"/campagnes/{setup.campaign_id}/tableau-de-bord", params={"fill_below": "200"})
        assert refused.status_code == 422 and "Remplissage inférieur à (%)" in refused.text
    finally:
        browser.close()
    member = web_session(gateway, setup.members[0].email)
    assert member.get(f"/campagnes/{setup.campaign_id}/tableau-de-bord").status_code == 403
    member.close()
