"""The blue banner of a self-evaluation contract says what its reader may do (issue 20, defect 10: the ARS read
« AUTO-EVALUATION : vous pouvez accéder à la modification… » on a contract it can only consult)."""

import html

import httpx
import pytest

from tests.support.contracts import GOOD_ANSWERS, make_contract, save
from tests.support.identity import bearer
from tests.support.web import web_client

MAY_EDIT = "AUTO-EVALUATION : vous pouvez accéder à la modification des questions rattachées à chaque indicateur."
MAY_READ = ("AUTO-EVALUATION : l'établissement renseigne les indicateurs ; vous pouvez les consulter MAIS vous ne "
            "pouvez apporter aucune modification.")
CLOSED_FOR_THE_EJ = ("CONSULTATION : vous pouvez accéder aux éléments constitutifs de votre rapport "
                     "d'auto-évaluation MAIS vous ne pouvez apporter aucune modification.")
CLOSED_FOR_THE_ARS = ("CONSULTATION : la saisie est close ; vous pouvez consulter le rapport d'auto-évaluation de "
                      "l'établissement MAIS vous ne pouvez apporter aucune modification.")


@pytest.fixture(scope="module")
def setup(stack, gateway):
    return make_contract(gateway, stack)


def banners(gateway, email, contract_id) -> list[str]:
    with web_client(gateway, email) as client:
        pages = [client.get(f"/contrats/{contract_id}{path}") for path in ("", "/indicateurs", "/indicateurs/ACC01")]
    assert [page.status_code for page in pages] == [200, 200, 200]
    return [html.unescape(page.text) for page in pages]


def test_the_banner_fits_who_reads_it(gateway, setup):
    for page in banners(gateway, setup.ars_email, setup.contract_id):
        assert MAY_READ in page and "vous pouvez accéder à la modification" not in page
    for page in banners(gateway, setup.member_email, setup.contract_id):
        assert MAY_EDIT in page and MAY_READ not in page

    for code, answers in GOOD_ANSWERS.items():
        assert save(gateway, setup, code, answers).status_code == 200
    closed = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member))
    assert closed.status_code == 200, closed.text
    for page in banners(gateway, setup.ars_email, setup.contract_id):
        assert CLOSED_FOR_THE_ARS in page and "votre rapport" not in page
    for page in banners(gateway, setup.member_email, setup.contract_id):
        assert CLOSED_FOR_THE_EJ in page
