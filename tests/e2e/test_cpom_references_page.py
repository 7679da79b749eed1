"""« Documents de référence » (guide 004): the ARS's regional documents « ainsi que le lien vers les tutoriels
Youtube », the videos of the « chaîne Youtube e-CARS » (issue 20, defect 14: the page promised the link)."""

import html
import re

from gateway.config import TUTORIALS_URL
from tests.support.cpom import create_cpom, organisation, user
from tests.support.web import web_client


def test_documents_de_reference_link_to_the_e_cars_youtube_tutorials(stack, gateway):
    ars = user(stack, gateway, role="ars", region="Bretagne")
    cpom = create_cpom(gateway, ars, organisation(gateway, ars, ets=1))
    with web_client(gateway, ars.email) as client:
        page = client.get(f"/cpom/{cpom['id']}/documents-de-reference")
    assert page.status_code == 200
    link = re.search(r'<p id="tutoriels"><a ([^>]*)>([^<]*)</a>', page.text)
    assert link, page.text
    assert link.group(2) == "Tutoriels vidéo : chaîne YouTube e-CARS"
    assert f'href="{TUTORIALS_URL}"' in html.unescape(link.group(1)) and 'target="_blank"' in link.group(1)
    assert "youtube.com" in TUTORIALS_URL and "e-CARS" in TUTORIALS_URL
