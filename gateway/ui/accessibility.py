"""« Accessibilité : partiellement conforme » (footer of every page) and /accessibilite, the RGAA accessibility
statement a French public service publishes (article 47 of the law 2005-102): its state of conformity, what is not
accessible yet, how it was checked, how to report a problem, and the remedies."""

from flask import render_template

from gateway.ui.pages import page_blueprint

bp = page_blueprint("accessibility")

# What the statement says: kept here, beside the page, and updated with each audit (docs/accessibility.md).
STATEMENT = {
    "conformity": "partiellement conforme",
    "rgaa_version": "4.1.2",
    "established_on": "03/12/2026",
    "support_email": "ars-ecars@ars.sante.fr",
}


@bp.get("/accessibilite")
def statement():
    """Open to everyone, signed in or not."""
    return render_template("accessibilite.html", **STATEMENT)
