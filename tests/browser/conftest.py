"""Browser fixtures: Debian's Chromium driven by Playwright (never a browser downloaded by Playwright)."""

import os

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.support.axe import AXE_SOURCE, AxeReport, CheckedBrowser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # ECARS_TEST_SLOT=1 puts the gateway on 10080, a port Chromium refuses by default (ERR_UNSAFE_PORT)
    "--explicitly-allowed-ports=10080",
]


# A link followed or a form sent waits for axe to read the page it leaves (tests/support/axe.py): on this shared
# two-core machine that can take seconds, so assertions wait as long as actions do.
expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here + os.sep):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser(stack):
    """One Chromium for the tests of this folder.

    Playwright's sync API keeps an asyncio loop marked as running on the main thread while it is started, so
    `asyncio.run()` and `loop.run_until_complete()` there fail meanwhile: the stack is started first (its
    fixture uses asyncio.run) and Playwright is stopped once this folder is done (package scope, not session),
    so the tests collected after it (integration, unit…) can still use asyncio."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium; `make test` installs it "
                    "(or run `make install-browser`).", pytrace=False)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield CheckedBrowser(browser)
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser, gateway):
    """A page of a fresh context; axe (tests/support/axe.py) checks every page this test visits, in this context
    and in any other it opens with `browser.new_context()`, and the test fails on any violation."""
    if not AXE_SOURCE.is_file():
        pytest.fail(f"{AXE_SOURCE} is missing: the browser tests need npm's axe-core (`make install`).",
                    pytrace=False)
    browser.report, browser.contexts = AxeReport(origin=gateway.rstrip("/")), []
    context = browser.new_context(locale="fr-FR", base_url=gateway)
    # 20 s: a link waits for axe to check the page it leaves (axe_hold.js), then for the next page; on the 2-core
    # machine under load that passed 10 s (the support's « documents » dashboard, seen once)
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        try:
            for opened in browser.contexts:
                opened.close()
        finally:
            report, browser.report = browser.report, None
    report.assert_clean()
