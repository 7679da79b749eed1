"""A « Tableau de synthèse » long enough for several pages, rendered by the reporting service's own code and
printed by LibreOffice: the column titles at the top of every page, « Page X sur Y », the header on each page,
no row of the table cut into the next page, columns fitted to their content (issue 20, defect 6)."""

from datetime import UTC, datetime

from services.reporting import cpom_documents
from services.reporting.referentials import CpomLabels
from tests.support.word import check_page_layout, grid_widths, render, table_with_header

LABELS = CpomLabels(types={"taux": "Taux"}, categories={"pilotage_interne": "Pilotage interne"},
                    declinaisons={"et_par_et": "ET par ET"})


def snapshot(objectives: int = 6, indicators: int = 4, ets: int = 5) -> dict:
    """A CPOM's export (services/cpom's transmission snapshot) of objectives × indicators × ETs rate values."""
    establishments = [{"finess": f"2200{i:05d}", "nom": f"EHPAD LES TILLEULS {i}"} for i in range(ets)]
    return {
        "cpom": {"nom": "CPOM 2024-2028 ASSOCIATION DU BOCAGE", "statut": {"libelle": "4 Négociation"},
                 "ej": {"finess": "220006175", "raison_sociale": "ASSOCIATION DU BOCAGE"}, "competence": "Conjointe",
                 "departements": ["22"]},
        "etablissements": establishments,
        "remarques": [{"le": datetime(2026, 7, 1, 6, 30, tzinfo=UTC).isoformat(), "auteur": "Agent ARS",
                       "texte": "Merci de préciser le dénominateur."}],
        "objectifs": [{
            "code": f"O{o}", "libelle": f"Objectif opérationnel numéro {o} du contrat", "actions": [{}, {}],
            "indicateurs": [{
                "code": f"PILOT {o}{n}", "libelle": f"Taux de réalisation de l'action {n} de l'objectif",
                "type": "taux", "categorie": "pilotage_interne", "declinaison": "et_par_et",
                "valeurs": [{"etablissement": et["finess"], "numerateur": 12, "denominateur": 40, "taux": 30.0,
                             "valeur_libelle": "30,00 %"} for et in establishments]} for n in range(indicators)]}
            for o in range(objectives)],
    }


def test_a_long_synthesis_table_repeats_its_column_titles_on_every_page(tmp_path):
    content = cpom_documents.synthese(snapshot(), LABELS)
    rendered = render(content, tmp_path, "synthese")
    assert len(rendered.pages) >= 3, len(rendered.pages)
    check_page_layout(rendered, "Tableau de synthèse", "EJ 220006175 - ASSOCIATION DU BOCAGE", landscape=True)
    titles = "Objectif Actions Indicateur Catégorie Établissement Valeur initiale Taux"
    for n, lines in enumerate(rendered.layout, start=1):
        if n == len(rendered.layout) and "Remarques" in lines and titles not in lines:
            continue  # the last page may hold the remarks alone
        assert titles in lines, f"page {n}: {lines[:8]}"
    # each row whole on one page: its objective's label is never split from the rest of the row
    assert rendered.text.count("Objectif opérationnel numéro 5 du contrat") == 4 * 5
    assert "01/07/2026 à 08h30 – Agent ARS" in rendered.text  # 06:30 UTC is 08:30 in Paris in summer


def test_short_columns_get_what_they_need_and_long_ones_share_the_rest(tmp_path):
    rendered = render(cpom_documents.synthese(snapshot(objectives=1), LABELS), tmp_path, "synthese")
    document = rendered.document
    table = table_with_header(document, "Objectif")
    widths = dict(zip([c.text for c in table.rows[0].cells], grid_widths(table), strict=True))
    section = document.sections[0]
    assert sum(widths.values()) == round((section.page_width - section.left_margin - section.right_margin) / 635)
    assert len(set(widths.values())) > 3, widths  # not the equal columns python-docx gives
    assert widths["Actions"] < widths["Catégorie"] < widths["Objectif"], widths
    assert widths["Taux"] < widths["Valeur initiale"] < widths["Indicateur"], widths
    for short in ("12 / 40 = 30,00 %", "Pilotage interne", "30,00 %"):  # short values: never wrapped
        assert any(short in line for page in rendered.layout for line in page), short
    for row in table.rows[1:3]:  # Word reads each cell's width: the same as the grid's
        assert [c.width.twips for c in row.cells] == list(widths.values())
