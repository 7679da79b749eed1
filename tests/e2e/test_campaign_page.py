"""The campaign's page in the web UI (« Suivi des contrats », /campagnes/<id>): one page of 20 contracts, sorted,
filtered (status, fill-rate range, département, name or FINESS) and counted by the contracts service; criteria
it refuses named by their fields in French. The page used to list the first 20 contracts only, with no way on."""

import html
import re

import httpx
import pytest

from tests.conftest import unique
from tests.support.contracts import GOOD_ANSWERS, TEMPLATE, ContractSetup, grant_ej, new_finess, save, wait_for_access
from tests.support.identity import active_user, bearer, sign_in, web_session

ROW = re.compile(r'<a class="fr-link" href="/contrats/([0-9a-f-]{36})">([^<]*)</a>')


def listed(page: httpx.Response) -> list[str]:
    """The contracts' names of the table's rows, in order."""
    return [name for _, name in ROW.findall(page.text.split('id="suivi"', 1)[1])]


@pytest.fixture(scope="module")
def campaign(gateway, stack):
    """23 contracts « Contrat 00 » … « Contrat 22 »: every third in Ille-et-Vilaine (35), the others in 22;
    « Contrat 05 » answered for 3 of its 7 required questions (42 %)."""
    ars_email, _ = active_user(stack, role="ars", region="Bretagne")
    ars = sign_in(gateway, ars_email)
    answer = httpx.post(f"{gateway}/api/contracts/campaigns", headers=bearer(ars), json={
        "name": unique("Campagne"), "evaluated_year": 2023, "starts_on": "2024-01-15", "ends_on": "2024-06-30",
        "region": "Bretagne", "template": TEMPLATE})
    assert answer.status_code == 201, answer.text
    campaign_id = answer.json()["id"]
    finess = {i: ("35" if i % 3 == 0 else "22") + new_finess()[2:] for i in range(23)}
    ids = {}
    for i in range(23):
        created = httpx.post(f"{gateway}/api/contracts/campaigns/{campaign_id}/contracts", headers=bearer(ars),
                             json={"name": f"Contrat {i:02d}", "ej_finess": finess[i],
                                   "ej_raison_sociale": f"EJ {i:02d}"})
        assert created.status_code == 201, created.text
        ids[i] = created.json()["id"]
    member_email, _ = active_user(stack)
    grant_ej(gateway, ars, finess[5], member_email)
    member = sign_in(gateway, member_email)
    wait_for_access(gateway, member, ids[5])
    setup = ContractSetup(ids[5], campaign_id, finess[5], ars, member, member_email, ars_email)
    for code in ("ACC01", "SOI01", "PIL01"):
        assert save(gateway, setup, code, GOOD_ANSWERS[code]).status_code == 200
    return {"id": campaign_id, "finess": finess, "browser": web_session(gateway, ars_email), "ars": ars,
            "gateway": gateway}


def view(campaign: dict, **params) -> httpx.Response:
    return campaign["browser"].get(f"/campagnes/{campaign['id']}", params=params)


def test_the_campaign_page_shows_20_contracts_a_page_with_the_totals(campaign):
    first = view(campaign)
    assert first.status_code == 200
    assert listed(first) == [f"Contrat {i:02d}" for i in range(20)]  # sorted by the EJ's name
    assert "Page 1 sur 2" in first.text
    totals = re.sub(r"\s+", " ", first.text.split('id="totaux"', 1)[1].split("</p>", 1)[0])
    assert "23 contrat(s) : 23 en AUTO-EVALUATION, 0 en CONSULTATION (dont 0 accepté(s) par l'ARS)" in totals
    assert "remplissage moyen : 2 %" in totals  # (42 + 22 × 0) / 23, rounded
    assert listed(view(campaign, page=2)) == ["Contrat 20", "Contrat 21", "Contrat 22"]
    beyond = view(campaign, page=9)
    assert beyond.status_code == 302 and "page=2" in beyond.headers["location"]
    descending = view(campaign, sort="-ej_raison_sociale")
    assert listed(descending)[:2] == ["Contrat 22", "Contrat 21"]
    assert 'aria-sort="descending"' in descending.text
    by_fill = view(campaign, sort="-fill_percentage")
    assert listed(by_fill)[0] == "Contrat 05" and "42 %" in by_fill.text


def test_the_ars_filters_by_fill_rate_departement_status_and_name_or_finess(campaign):
    assert listed(view(campaign, fill_min=40, fill_max=50)) == ["Contrat 05"]
    empty = view(campaign, fill_max=0)
    assert len(listed(empty)) == 20 and "Page 1 sur 2" in empty.text
    assert "22 contrat(s) correspondant aux filtres" in re.sub(r"\s+", " ", empty.text)
    assert "fill_max=0" in re.findall(r'href="([^"]*page=2[^"]*)"', empty.text)[0]  # the pager keeps the filters
    assert listed(view(campaign, departement="35")) == [f"Contrat {i:02d}" for i in range(0, 23, 3)]
    assert listed(view(campaign, search=campaign["finess"][7])) == ["Contrat 07"]
    assert listed(view(campaign, search="ej 1")) == [f"Contrat {i:02d}" for i in range(10, 20)]
    none = view(campaign, status="CONSULTATION")
    assert listed(none) == [] and "Aucun contrat ne correspond à ces filtres." in none.text
    assert '<option value="CONSULTATION" selected>' in none.text


def test_criteria_the_service_refuses_are_named_by_their_fields(campaign):
    page = view(campaign, fill_min="beaucoup", fill_max="200", departement="XX")
    assert page.status_code == 422
    assert "« Remplissage minimal (%) » : un entier entre 0 et 100 est attendu." in page.text
    assert "« Remplissage maximal (%) » : un entier entre 0 et 100 est attendu." in page.text
    assert "« Département » : un numéro de département est attendu (exemple : 35, 2A, 974)." in page.text
    assert 'value="beaucoup"' in page.text  # what was typed stays in its field
    assert len(listed(page)) == 20  # the campaign's first page below the errors
    inverted = view(campaign, fill_min=60, fill_max=10)
    assert inverted.status_code == 422
    assert "« Remplissage maximal (%) » : doit être supérieur ou égal à fill_min." in inverted.text


def pager_link(page: httpx.Response, kind: str) -> str | None:
    found = re.search(rf'class="fr-pagination__link fr-pagination__link--{kind}[^"]*"\s+href="([^"]+)"', page.text)
    return html.unescape(found.group(1)) if found else None


def test_a_page_by_cursor_keeps_the_sort_and_filters_and_a_forged_link_is_refused_in_french(campaign):
    """23 contracts make 2 pages, linked by their numbers; the cursor of page 2 (as the pager links pages beyond
    the fifth) is taken from the API, for the same sort and filters."""
    first = view(campaign, sort="-ej_raison_sociale", fill_max=0)  # 22 contracts: « Contrat 05 » left out
    following = pager_link(first, "next")
    assert "fill_max=0" in following and "sort=-ej_raison_sociale" in following and "page=2" in following
    given = httpx.get(f"{campaign['gateway']}/api/contracts/campaigns/{campaign['id']}/progress",
                      params={"sort": "-ej_raison_sociale", "fill_max": 0}, headers=bearer(campaign["ars"])).json()
    cursor = given["next"]
    second = view(campaign, sort="-ej_raison_sociale", fill_max=0, cursor=cursor)
    assert second.status_code == 200
    assert listed(second) == ["Contrat 01", "Contrat 00"] and "Page 2 sur 2" in second.text
    assert pager_link(second, "next") is None and "page=1" in pager_link(second, "prev")
    for params in ({"cursor": "forgé", "fill_max": 0, "sort": "-ej_raison_sociale"},
                   {"cursor": cursor, "fill_max": 0, "sort": "ej_raison_sociale"},  # given for the other order
                   {"cursor": cursor, "fill_max": 50, "sort": "-ej_raison_sociale"}):  # for other filters
        page = view(campaign, **params)
        assert page.status_code == 422
        assert "Ce lien de page n'est plus valable" in html.unescape(page.text)
        assert "Page 1 sur" in page.text and 'name="fill_max" value="' in page.text
        assert "correspondant aux filtres" in page.text  # the first page of the same filters
    both = view(campaign, cursor=cursor, page=2, fill_max=0, sort="-ej_raison_sociale")
    assert both.status_code == 422 and "« Page » : page et cursor ne se combinent pas" in html.unescape(both.text)
    bad_sort = view(campaign, sort="couleur", cursor=cursor)
    assert bad_sort.status_code == 422 and "« Tri » : valeurs possibles" in html.unescape(bad_sort.text)
