"""Indicator templates: JSON and spreadsheet forms, errors named by place; answer validation rules."""

import io

import pytest
from openpyxl import Workbook

from services.contracts import domain, template_xlsx

HEADER = ["code_indicateur", "libelle_indicateur", "categorie", "code_question", "libelle_question", "type",
          "obligatoire", "min", "max", "attendu_min", "attendu_max", "non_applicable", "choix", "regle"]


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


GOOD = [
    ["ACC01", "Personnes accompagnées", "Accompagnement", "REALISE", "Réalisé", "nombre", "oui", 0, 1000, None, None,
     "non", None, None],
    ["PIL02", "Personnel formé", "Pilotage interne", "FORMES", "Agents formés", "nombre", "oui", 0, None, None, None,
     None, None, "<= EFFECTIF"],
    [None, None, None, "EFFECTIF", "Effectif total", "nombre", None, 0, None, None, None, None, None, None],
    ["PIL03", "Démarche qualité", None, "REALISE", "Réalisé", "liste", "oui", None, None, None, None, "oui",
     "Non engagée; En cours ;Aboutie", None],
]


def test_a_good_spreadsheet_becomes_a_template():
    indicators = template_xlsx.parse(workbook(GOOD))
    assert [i.code for i in indicators] == ["ACC01", "PIL02", "PIL03"]
    assert [q.code for q in indicators[1].questions] == ["FORMES", "EFFECTIF"]
    assert indicators[1].rules == (domain.Rule("lte", "FORMES", "EFFECTIF"),)
    assert indicators[2].questions[0].choices == ("Non engagée", "En cours", "Aboutie")
    assert indicators[2].questions[0].allow_na and indicators[0].questions[0].max == 1000


def test_each_spreadsheet_error_names_its_row_and_column():
    bad = [
        ["ACC01", "Personnes", None, "REALISE", "Réalisé", "couleur", "oui", None, None, None, None, None, None, None],
        ["ACC02", "Taux", None, "REALISE", "Réalisé", "pourcentage", "peut-être", "zéro", None, None, None, None,
         None, None],
        ["ACC03", "", None, "", "Réalisé", "nombre", None, 5, 1, None, None, None, None, "<= AUTRE"],
    ]
    with pytest.raises(domain.TemplateError) as caught:
        template_xlsx.parse(workbook(bad))
    places = {e["where"] for e in caught.value.errors}
    assert places == {"ligne 3, colonne G (obligatoire)", "ligne 3, colonne H (min)"}  # cell-level errors first
    with pytest.raises(domain.TemplateError) as caught:
        template_xlsx.parse(workbook([bad[0], bad[2]]))
    places = {e["where"] for e in caught.value.errors}
    assert places == {"ligne 2, colonne F (type)", "ligne 3, colonne B (libelle_indicateur)",
                      "ligne 3, colonne D (code_question)", "ligne 3, colonne H (min)", "ligne 3, colonne N (regle)"}


def test_a_file_that_is_not_a_spreadsheet_or_lacks_columns_is_refused():
    with pytest.raises(domain.TemplateError, match="erreur"):
        template_xlsx.parse(b"PK\x03\x04 pas vraiment un classeur")
    book = Workbook()
    book.active.append(["code", "libelle"])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(domain.TemplateError) as caught:
        template_xlsx.parse(out.getvalue())
    assert "colonnes manquantes" in caught.value.errors[0]["message"]


def test_values_are_normalised_the_french_way():
    number = domain.Question("Q", "Réalisé", "number", min=0)
    assert domain.normalise(number, "12,5") == 12.5 and domain.normalise(number, " 1 200 ") == 1200
    assert domain.normalise(number, "") is None
    yes_no = domain.Question("Q", "Q", "yes_no")
    assert domain.normalise(yes_no, "Oui") is True and domain.normalise(yes_no, False) is False
    day = domain.Question("Q", "Q", "date")
    assert domain.normalise(day, "15/03/2023") == "2023-03-15" == domain.normalise(day, "2023-03-15")
    na = domain.Question("Q", "Q", "number", allow_na=True)
    assert domain.normalise(na, domain.NA) == domain.NA
    with pytest.raises(ValueError):
        domain.normalise(number, float("nan"))
    with pytest.raises(ValueError):
        domain.normalise(number, True)


def test_non_applicable_needs_a_comment_and_percentages_round_down():
    indicator = domain.Indicator("I", "I", "", (domain.Question("Q", "Réalisé", "number", allow_na=True),))
    assert "comment" in domain.check_answers(indicator, {"Q": "NA"}, "").errors
    assert domain.check_answers(indicator, {"Q": "NA"}, "Sans objet cette année").errors == {}
    three = [domain.Indicator(c, c, "", (domain.Question("Q", "Q", "text"),)) for c in "ABC"]
    assert domain.fill_percentage(three, {"A": {"Q": "x"}, "B": {"Q": "y"}}) == 66
    assert domain.dot(three[0], {}, accessible=False) == domain.GRISE
