"""axe-core (npm `axe-core`, in node_modules) on every page a browser test visits, WCAG 2.1 A and AA rules.

Each document is checked as the test leaves it: a link followed or a form sent waits for axe to run on the page
first (axe_hold.js, injected in every document), `page.goto`/`reload`/`go_back` check the page before leaving it,
and the pages still open when their context closes are checked last. So no page is missed, whatever the test
does between two navigations, and a page changed by its script (a folder opened) is checked as it was seen."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Error, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
HOLD_SCRIPT = Path(__file__).with_name("axe_hold.js")
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LEAVING = ("goto", "reload", "go_back", "go_forward")


@dataclass
class AxeReport:
    """What axe found in one test, page by page."""
    origin: str
    checked: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def record(self, _source, found: dict) -> None:
        self.checked.append(found["url"])
        for violation in found["violations"]:
            nodes = "\n      ".join(violation["nodes"])
            self.violations.append(f"{found['url']} — {violation['id']} ({violation['impact']}): "
                                   f"{violation['help']}\n      {nodes}")

    def check(self, page: Page) -> None:
        """Run axe on the page shown now (nothing to do on a page of another origin or not HTML)."""
        if page.is_closed() or not page.url.startswith(self.origin + "/"):
            return
        try:
            shown = page.evaluate("async () => { const shown = [window.__ecarsAxeDocument, window.__ecarsAxeHolding];"
                                  " if (window.__ecarsAxeCheck) await window.__ecarsAxeCheck(); return shown; }")
        except Error as error:  # the document went away meanwhile (a held navigation went on, the page closed)
            if "Execution context was destroyed" not in str(error) and "closed" not in str(error):
                raise
            if not page.is_closed():
                page.wait_for_load_state()
            return
        document, held = shown
        if held and not page.is_closed():  # a link or form was held for axe: its navigation ends first
            page.wait_for_function(f"() => window.__ecarsAxeDocument !== {document!r} "
                                   "&& document.readyState === 'complete'")

    def assert_clean(self) -> None:
        assert not self.violations, (f"axe (WCAG 2.1 A/AA) found {len(self.violations)} violation(s):\n"
                                     + "\n".join(self.violations))


def _checked_before_leaving(page: Page, report: AxeReport) -> Page:
    if getattr(page, "_ecars_axe", False):
        return page
    page._ecars_axe = True
    for name in LEAVING:
        leave = getattr(page, name)

        def checked(*args, _leave=leave, **kwargs):
            report.check(page)
            return _leave(*args, **kwargs)
        setattr(page, name, checked)
    return page


class CheckedContext:
    """A browser context whose every page is checked by axe, the last ones when it closes."""

    def __init__(self, context: BrowserContext, report: AxeReport, own_report: bool = False):
        self._context, self._report, self._closed, self._own_report = context, report, False, own_report
        context.expose_binding("ecarsAxeReport", report.record)
        settings = json.dumps({"origin": report.origin, "tags": WCAG_21_AA})
        context.add_init_script(path=AXE_SOURCE)
        context.add_init_script(script=f"const ECARS_AXE = {settings};\n" + HOLD_SCRIPT.read_text(encoding="utf-8"))
        context.on("page", lambda page: _checked_before_leaving(page, report))

    def __getattr__(self, name):
        return getattr(self._context, name)

    def new_page(self) -> Page:
        return _checked_before_leaving(self._context.new_page(), self._report)

    def close(self, **kwargs) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            for page in self._context.pages:
                self._report.check(page)
        finally:
            self._context.close(**kwargs)
        if self._own_report:
            self._report.assert_clean()


class CheckedBrowser:
    """The browser handed to the tests: `new_context()` gives checked contexts reporting into the running test's
    `AxeReport` (set by the `page` fixture)."""

    def __init__(self, browser: Browser):
        self._browser = browser
        self.report: AxeReport | None = None
        self.contexts: list[CheckedContext] = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **kwargs) -> CheckedContext:
        """Outside the `page` fixture (a test's own context fixture), the context has its report to itself and
        fails when it closes."""
        if self.report is not None:
            context = CheckedContext(self._browser.new_context(**kwargs), self.report)
            self.contexts.append(context)
            return context
        return CheckedContext(self._browser.new_context(**kwargs), AxeReport(origin=kwargs["base_url"].rstrip("/")),
                              own_report=True)
