"""The support dashboard in French (issue 20, defect 13: `contracts_by_status : {'AUTO-EVALUATION': 1}`, English
keys, and an error count over another window than the error list)."""

import html
import re

import pytest

from ecars_common.config import SERVICES
from tests.support.contracts import make_contract
from tests.support.identity import active_user
from tests.support.web import web_client

ENGLISH_KEY = re.compile(r"\b[a-z]+_[a-z_]+\b")


def visible_text(page: str) -> str:
    body = re.sub(r"<(script|style|code)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def support(stack, gateway):
    make_contract(gateway, stack)  # a contract, a campaign, an EJ habilitation: figures to show
    with web_client(gateway, active_user(stack, role="support")[0]) as client:
        yield client


@pytest.mark.parametrize("service", SERVICES)
def test_each_dashboard_speaks_french(support, service):
    page = support.get(f"/support/{service}/")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "{" not in text and "}" not in text, text
    assert not ENGLISH_KEY.search(text), ENGLISH_KEY.search(text)
    for english in ("database", "broker", ": ok", "outbox)"):
        assert english not in text, english
    minutes = re.search(r"Trafic des (\d+) dernières minutes", text)
    assert minutes, text
    assert f"Erreurs serveur des {minutes.group(1)} dernières minutes" in text  # one window, stated


def test_the_contracts_figures_are_labelled(support):
    text = visible_text(support.get("/support/contracts/").text)
    assert "Contrats d'auto-évaluation par statut : AUTO-EVALUATION :" in text
    assert re.search(r"Campagnes : \d+", text)
    assert "Base de données (PostgreSQL) disponible" in text
