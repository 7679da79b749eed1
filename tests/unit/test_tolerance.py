"""« Écart toléré » (issue 18, services/contracts/tolerance.py): a value far from last campaign's asks for a
comment, as the expected range does; the template states the tolerance, checked when it is read."""

import io

import pytest
from openpyxl import Workbook

from services.contracts import domain, template_xlsx


def indicator(**question) -> domain.Indicator:
    [parsed] = domain.parse_template({"indicators": [{"code": "ACC01", "label": "Personnes", "questions": [
        {"code": "REALISE", "label": "Réalisé", "kind": "number", **question}]}]})
    return parsed


@pytest.mark.parametrize("typed, asked", [("52,8", False), ("43,2", False), ("52,9", True), ("43", True)])
def test_beyond_ten_percent_of_last_campaign_a_comment_is_asked(typed, asked):
    checked = domain.check_answers(indicator(tolerance=10), {"REALISE": typed}, "", previous={"REALISE": 48})
    if asked:
        assert checked.errors == {"comment": "Un commentaire est obligatoire : « Réalisé » s'écarte de plus de 10 % "
                                             "de la valeur de la campagne précédente (48)."}
    else:
        assert checked.errors == {}
    assert domain.check_answers(indicator(tolerance=10), {"REALISE": typed}, "Ouverture d'une unité.",
                                previous={"REALISE": 48}).errors == {}  # a warning: the value itself is kept


def test_no_tolerance_no_previous_value_or_a_previous_zero():
    assert domain.check_answers(indicator(), {"REALISE": "500"}, "", previous={"REALISE": 48}).errors == {}
    assert domain.check_answers(indicator(tolerance=10), {"REALISE": "500"}, "", previous={}).errors == {}
    assert domain.check_answers(indicator(tolerance=10), {"REALISE": "500"}, "", previous=None).errors == {}
    assert "comment" in domain.check_answers(indicator(tolerance=0), {"REALISE": "1"}, "",
                                             previous={"REALISE": 0}).errors
    assert domain.check_answers(indicator(tolerance=0), {"REALISE": "0"}, "", previous={"REALISE": 0}).errors == {}


@pytest.mark.parametrize("question, message", [
    ({"kind": "text", "tolerance": 10}, "seulement pour une question de type number ou percentage"),
    ({"kind": "number", "tolerance": -1}, "un pourcentage entre 0 et 1000 est attendu"),
    ({"kind": "percentage", "tolerance": "dix"}, "un nombre est attendu"),
])
def test_a_wrong_tolerance_is_named_in_the_template(question, message):
    with pytest.raises(domain.TemplateError) as refused:
        domain.parse_template({"indicators": [{"code": "A", "label": "A", "questions": [
            {"code": "Q", "label": "Q", **question}]}]})
    assert refused.value.errors == [{"where": "indicators[0].questions[0].tolerance", "message": message}]


def test_the_tolerance_is_kept_in_the_stored_template_and_read_from_the_spreadsheet():
    stored = domain.template_as_json([indicator(tolerance=12.5)])
    assert stored["indicators"][0]["questions"][0]["tolerance"] == 12.5
    assert domain.template_from_json(stored)[0].questions[0].tolerance == 12.5
    book = Workbook()
    book.active.append(["code_indicateur", "libelle_indicateur", "code_question", "libelle_question", "type",
                        "ecart_tolere"])
    book.active.append(["ACC01", "Personnes", "REALISE", "Réalisé", "nombre", 15])
    content = io.BytesIO()
    book.save(content)
    parsed = template_xlsx.parse(content.getvalue())
    assert parsed[0].questions[0].tolerance == 15
