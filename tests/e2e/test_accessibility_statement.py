"""The RGAA accessibility statement a French public service publishes: « Accessibilité : partiellement conforme »
in the footer of every page, and the statement at /accessibilite with the usual sections (issue 20)."""

import re

import httpx

from tests.support.identity import active_user
from tests.support.web import web_client

FOOTER_LINK = '<a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : partiellement conforme</a>'
SECTIONS = ["État de conformité", "Résultats des tests", "Contenus non accessibles", "Non-conformités",
            "Dérogations pour charge disproportionnée", "Contenus non soumis à l'obligation d'accessibilité",
            "Établissement de cette déclaration", "Technologies utilisées pour la réalisation du site",
            "Environnement de test", "Pages ayant fait l'objet de la vérification",
            "Retour d'information et contact", "Voies de recours"]


def test_every_page_links_to_the_statement(stack, gateway):
    for path in ("/connexion", "/mot-de-passe", "/accessibilite", "/page-inconnue"):
        page = httpx.get(f"{gateway}{path}")
        assert FOOTER_LINK in page.text, path
    with web_client(gateway, active_user(stack)[0]) as client:
        for path in ("/accueil", "/mon-compte", "/ej/abc"):
            assert FOOTER_LINK in client.get(path).text, path


def test_the_statement_has_the_rgaa_sections(gateway):
    page = httpx.get(f"{gateway}/accessibilite")
    assert page.status_code == 200
    assert "<h1>Déclaration d'accessibilité</h1>" in page.text
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h[23][^>]*>(.*?)</h[23]>", page.text)]
    assert [h for h in headings if h in SECTIONS] == SECTIONS, headings
    assert "<strong>partiellement conforme</strong> avec le référentiel général d'amélioration" in page.text
    assert "RGAA), version 4.1.2" in page.text
    assert "article 47 de la loi n° 2005-102 du 11 février 2005" in page.text
    assert 'href="mailto:ars-ecars@ars.sante.fr"' in page.text
    assert "Défenseur des droits, Libre réponse" in page.text
