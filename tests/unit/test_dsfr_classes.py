"""Every DSFR icon a template names exists in the DSFR the pages load (node_modules/@gouvfr/dsfr, the version of
package-lock.json): the contract's « Historique » button named « fr-icon-history-line », which the DSFR does not
have, and showed no icon."""

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
