"""A number written where the platform expects one — a form's year, a page, a limit — is read by one rule
(ecars_common.numbers.whole_number): « ²⁰²³ », « ³ » or a 5,000-digit page are refused or ignored in French,
never a 500. The superscripts were 500s: str.isdigit() took them, then int() raised. (A query string past 4,094
characters never reaches the platform: gunicorn answers 414.)"""

import re

import httpx
import pytest

from tests.conftest import unique
from tests.support.identity import active_user, bearer, sign_in, web_session

HUGE = "1" * 4000  # as long as a request line may be


@pytest.fixture(scope="module")
def ars(gateway, stack):
    email, _ = active_user(stack, role="ars", region="Bretagne")
    return {"email": email, "tokens": sign_in(gateway, email), "browser": web_session(gateway, email)}


def test_nouvelle_campagne_with_a_superscript_year_says_how_a_year_is_written(ars):
    browser = ars["browser"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/campagnes/nouvelle").text).group(1)
    answer = browser.post("/campagnes/nouvelle", data={
        "csrf_token": csrf, "name": unique("Campagne"), "evaluated_year": "²⁰²³", "starts_on": "15/01/2024",
        "ends_on": "30/06/2024", "region": "Bretagne"},
        files={"template": ("trame.xlsx", b"not read", "application/octet-stream")})
    assert answer.status_code == 422
    assert "L&#39;année évaluée s&#39;écrit avec 4 chiffres" in answer.text or \
        "L'année évaluée s'écrit avec 4 chiffres" in answer.text
    assert 'value="²⁰²³"' in answer.text  # what was typed is kept


def test_a_page_in_superscript_or_of_4000_digits_is_the_first_page_on_accueil_and_a_422_at_the_apis(gateway, ars):
    for page in (HUGE, "³"):
        assert ars["browser"].get("/accueil", params={"page": page}).status_code == 200
    for path in ("/api/cpom/ej", "/api/contracts/ej"):
        answer = httpx.get(f"{gateway}{path}", params={"page": HUGE}, headers=bearer(ars["tokens"]), timeout=30)
        assert answer.status_code == 422, (path, answer.text)
        assert set(answer.json()["error"]["details"]) == {"page"}
        answer = httpx.get(f"{gateway}{path}", params={"page": "³"}, headers=bearer(ars["tokens"]), timeout=30)
        assert answer.status_code == 422, (path, answer.text)


def test_the_dead_letters_limit_written_in_superscript_gives_the_default_page(gateway, stack):
    email, _ = active_user(stack, role="support")
    support = sign_in(gateway, email)
    answer = httpx.get(f"{gateway}/api/contracts/dashboard/dead-letters", params={"limit": "³"},
                       headers=bearer(support), timeout=30)
    assert answer.status_code == 200, answer.text
    assert isinstance(answer.json()["items"], list)
