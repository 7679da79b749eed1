"""What the page templates name (gateway/templates): every DSFR icon exists in the DSFR the pages load
(node_modules/@gouvfr/dsfr, the version of package-lock.json) — the contract's « Historique » button named
« fr-icon-history-line », which the DSFR does not have, and showed no icon; every page title is plain text."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
DSFR = ROOT / "node_modules" / "@gouvfr" / "dsfr" / "dist"


def test_every_icon_named_in_a_template_is_one_of_the_dsfr():
    named: dict[str, set[str]] = {}
    for path in (ROOT / "gateway" / "templates").rglob("*.html"):
        for icon in re.findall(r"\bfr-icon-[a-z0-9-]+", path.read_text()):
            named.setdefault(icon, set()).add(path.name)
    css = (DSFR / "utility" / "icons" / "icons.min.css").read_text() + (DSFR / "dsfr.css").read_text()
    defined = set(re.findall(r"\.(fr-icon-[a-z0-9-]+)", css))
    assert named, "no icon found: the templates moved?"
    missing = {icon: sorted(files) for icon, files in named.items() if icon not in defined}
    assert not missing, missing


def test_every_page_title_is_plain_text():
    """A page's `{% block title %}` is its browser tab's and the screen reader's first words: text only. The back-office
    page's held its whole « Exporter les grilles » section (a merge put it there), shown as markup in the tab."""
    titles = {}
    for path in (ROOT / "gateway" / "templates").rglob("*.html"):
        for title in re.findall(r"\{% block title %\}(.*?)\{% endblock %\}", path.read_text(), re.S):
            titles[path.name] = title
    assert len(titles) > 20, "the pages' titles not found: the templates moved?"
    marked = {name: title[:80] for name, title in titles.items() if "<" in title or "\n" in title}
    assert not marked, marked
