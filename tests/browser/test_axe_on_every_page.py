"""The browser tests' axe check itself: each page is checked as the test leaves it (a link, `goto`, the context
closed), and a violation fails the test."""

import pytest

from tests.support.axe import AxeReport, CheckedContext

SPOIL = ("() => { const img = document.createElement('img'); img.src = '/static/dsfr/favicon/favicon.svg';"
         " document.querySelector('main').append(img); }")


def test_a_page_left_with_a_violation_is_reported(browser, gateway):
    report = AxeReport(origin=gateway.rstrip("/"))
    context = CheckedContext(browser._browser.new_context(locale="fr-FR", base_url=gateway), report)
    try:
        page = context.new_page()
        page.goto("/connexion")
        page.evaluate(SPOIL)  # an image without a text alternative, added after the page loaded
        page.get_by_role("link", name="Renouveler le mot de passe").click()  # left by a link: checked first
        page.wait_for_url("**/mot-de-passe")
        assert set(report.checked) == {f"{report.origin}/connexion"}  # once loaded, again as left (spoilt)
        assert any("/connexion — image-alt" in found for found in report.violations), report.violations
        page.evaluate(SPOIL)
        page.goto("/connexion")  # left by goto: checked first
        assert len([found for found in report.violations if "image-alt" in found]) == 2, report.violations
    finally:
        context.close()
    assert report.checked[-1] == f"{report.origin}/connexion"  # the last page, when the context closed
    with pytest.raises(AssertionError, match="image-alt"):
        report.assert_clean()
