"""« Gestion des Contrats » in the web UI (/accueil): one page of the EJ referential per view, sorted and searched
at the source, each EJ with its kinds of contract; every EJ of a 4,000-EJ region reachable page by page (the list
stopped at page 50, 1,000 EJs, when the gateway merged two services' whole lists)."""

import html
import re

import httpx

from tests.conftest import unique
from tests.support.contracts import make_contract
from tests.support.cpom import api, create_cpom, grant, new_finess, organisation, user
from tests.support.identity import web_session

HEADER = "type;finess;nom;adresse;telephone;finess_ej;region;domaine"
ROW = re.compile(r'<a class="fr-link" href="/ej/(\w{9})">\1 - ([^<]*)</a>')


def listed(page: httpx.Response) -> list[tuple[str, str]]:
    """(FINESS, raison sociale) of each row of the home list, in order."""
    assert page.status_code in (200, 422), page.status_code
    body = page.text.split('id="etablissements"', 1)[1]
    return ROW.findall(body)


def test_every_ej_of_a_4000_ej_region_is_reachable_from_the_web_home_list(gateway, stack):
    """Mayotte holds no other test's EJs: the ARS's list is exactly ours."""
    ars = user(stack, gateway, role="ars", region="Mayotte")
    run = unique("").strip("-")[:6].upper()
    mine = [(new_finess("22"), f"ZZ MAYOTTE {run} {i:04d}") for i in range(4000)]
    lines = [HEADER]
    for finess, name in mine:
        lines.append(f"EJ;{finess};{name};{len(lines)} RUE DE MAMOUDZOU;0269000000;;;")
        lines.append(f"ET;{new_finess('22')};ET DE {finess};1 RUE DU LAGON;;{finess};Mayotte;Médico-social")
    answer = httpx.post(api(gateway, "/organisations/import"), headers={**ars.headers, "Content-Type": "text/csv"},
                        content=("\n".join(lines) + "\n").encode(), timeout=120)
    assert answer.status_code == 200, answer.text
    browser = web_session(gateway, ars.email)

    reached, page = [], browser.get("/accueil", params={"sort": "raison_sociale"})
    for number in range(1, 201):  # « Page suivante », page after page, as a person goes
        assert f"Page {number} sur 200" in page.text
        reached += listed(page)
        following = link(page, "next")
        if number < 200:
            page = browser.get(following)
    assert following is None and reached == mine  # every EJ, once, in the order of their names

    page_51 = opened(browser, mine, 51)
    assert listed(page_51) == mine[1000:1020] and "Page 51 sur 200" in page_51.text
    # the pager: the first pages by number, this one, the last; « Page précédente » back to page 50
    assert re.findall(r'title="Page (\d+)"', page_51.text) == ["1", "2", "3", "4", "5", "51", "200"]
    assert listed(browser.get(link(page_51, "prev"))) == mine[980:1000]
    last = browser.get(link(page_51, "last"))
    assert listed(last) == mine[3980:] and "Page 200 sur 200" in last.text and link(last, "next") is None
    assert listed(browser.get(link(last, "prev"))) == mine[3960:3980]
    page_5 = browser.get("/accueil", params={"sort": "raison_sociale", "page": 5})
    assert listed(page_5) == mine[80:100] and listed(browser.get(link(page_5, "next"))) == mine[100:120]
    beyond = browser.get("/accueil", params={"sort": "raison_sociale", "page": 201})
    assert beyond.status_code == 302 and "page=200" in beyond.headers["location"]
    descending = browser.get("/accueil", params={"sort": "-raison_sociale"})
    assert listed(descending)[0] == mine[-1]

    finess, name = mine[2345]
    assert listed(browser.get("/accueil", params={"q": finess})) == [(finess, name)]
    by_name = browser.get("/accueil", params={"q": f"mayotte {run.lower()} 23"})
    assert listed(by_name) == mine[2300:2320] and "100 entité(s) juridique(s)" in by_name.text
    assert "Page 1 sur 5" in by_name.text
    assert f"q=mayotte+{run.lower()}+23" in by_name.text.replace("%20", "+")  # the pager keeps the search
    nothing = browser.get("/accueil", params={"q": "aucune EJ ne porte ce nom"})
    assert listed(nothing) == [] and "Aucune entité juridique ne correspond" in nothing.text
    wildcard = browser.get("/accueil", params={"q": "%"})
    assert listed(wildcard) == []  # taken literally, not as « anything »


def link(page: httpx.Response, kind: str) -> str | None:
    """The pager's « Page suivante » (next), « Page précédente » (prev) or « Dernière page » (last) target."""
    found = re.search(rf'class="fr-pagination__link fr-pagination__link--{kind}[^"]*"\s+href="([^"]+)"', page.text)
    return html.unescape(found.group(1)) if found else None


def opened(browser: httpx.Client, mine: list, number: int) -> httpx.Response:
    """Page `number` reached from page 5 by « Page suivante »."""
    page = browser.get("/accueil", params={"sort": "raison_sociale", "page": 5})
    for _ in range(number - 5):
        page = browser.get(link(page, "next"))
    return page


def test_a_page_link_that_was_not_given_is_refused_in_french_with_the_first_page(gateway, stack):
    ars = user(stack, gateway, role="ars", region="Mayotte")
    lines = [HEADER]
    for i in range(110):  # at least 6 pages, whatever else Mayotte holds: « Dernière page » is a cursor
        finess = new_finess("22")
        lines += [f"EJ;{finess};MAYOTTE LIEN {i:02d};1 RUE DU LAGON;;;;",
                  f"ET;{new_finess('22')};ET DE {finess};1 RUE DU LAGON;;{finess};Mayotte;Médico-social"]
    answer = httpx.post(api(gateway, "/organisations/import"), headers={**ars.headers, "Content-Type": "text/csv"},
                        content=("\n".join(lines) + "\n").encode())
    assert answer.status_code == 200, answer.text
    browser = web_session(gateway, ars.email)
    first = browser.get("/accueil", params={"sort": "raison_sociale"})
    following = link(first, "last")
    assert following and "cursor=" in following
    for params in ({"sort": "raison_sociale", "cursor": "forgé"},
                   {"sort": "-raison_sociale", "cursor": following.split("cursor=")[1].split("&")[0]}):
        page = browser.get("/accueil", params=params)
        assert page.status_code == 422
        assert "Ce lien de page n'est plus valable" in html.unescape(page.text)
        assert "Page 1 sur" in page.text and len(listed(page)) == 20
    bad_sort = browser.get("/accueil", params={"sort": "couleur", "page": "deux"})  # the defaults, as before
    assert bad_sort.status_code == 200 and listed(bad_sort) == listed(first)


def test_a_search_too_long_is_refused_in_french(gateway, stack):
    ars = user(stack, gateway, role="ars", region="Mayotte")
    page = web_session(gateway, ars.email).get("/accueil", params={"q": "x" * 101})
    assert page.status_code == 422
    assert "La recherche compte au plus 100 caractères." in page.text
    refused = httpx.get(api(gateway, "/ej"), params={"q": "x" * 101}, headers=ars.headers)
    assert refused.status_code == 422
    assert (refused.json()["error"]["code"], refused.json()["error"]["details"]) == (
        "validation_failed", {"q": "au plus 100 caractères"})


def test_an_establishment_user_sees_their_three_ejs_with_their_kinds_of_contract(gateway, stack):
    ars = user(stack, gateway, role="ars", region="Bretagne")
    member = user(stack, gateway)
    ejs = [organisation(gateway, ars, name=f"EJ A TROIS {i}") for i in range(3)]
    for ej in ejs:
        grant(stack, member.user_id, "ej", ej["finess"])
    create_cpom(gateway, ars, ejs[1])
    page = web_session(gateway, member.email).get("/accueil")
    rows = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert [re.search(r"/ej/(\w{9})", row).group(1) for row in rows] == [ej["finess"] for ej in ejs]
    assert ["CPOM" in row for row in rows] == [False, True, False]
    assert "Page 1 sur 1" in page.text

    setup = make_contract(gateway, stack)  # waits until the referential shows its EJ to the member
    page = web_session(gateway, setup.member_email).get("/accueil")
    assert listed(page) == [(setup.finess, f"EJ {setup.finess}")]
    assert "Auto-évaluation</p>" in page.text and "CPOM</p>" not in page.text
