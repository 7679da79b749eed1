"""The value rules both sides share (ecars_common.values) and how each side states them in its definitions."""

from datetime import date
from decimal import Decimal

import pytest

from ecars_common import values
from gateway.ui.french import french_number
from services.contracts import domain as contracts
from services.cpom import domain as cpom
from services.reporting.cpom_documents import french_number as in_word

MAXIMUM_TEXT = "999\u202f999\u202f999\u202f999"


@pytest.mark.parametrize("raw, expected", [
    ("12,5", Decimal("12.5")), (" 1 200 ", Decimal("1200")), ("1\u202f000", Decimal("1000")),
    ("92,5 %", Decimal("92.5")),
    (999999999999, Decimal("999999999999")), ("999999999999,999", Decimal("999999999999.999")),
    (0.1, Decimal("0.1")), (-3, Decimal("-3")), ("007", Decimal("7")),
])
def test_numbers_are_read_as_the_decimals_written(raw, expected):
    assert values.parse_decimal(raw) == expected


@pytest.mark.parametrize("raw, words", [
    ("99999999999999999999999999999", "trop grand : au plus 999\u202f999\u202f999\u202f999"),
    (99999999999999999999999999999, "trop grand"), (1e20, "trop grand"), ("1000000000000", "trop grand"),
    ("1,2345", "au plus 3 décimales"), ("abc", "un nombre est attendu"), (True, "un nombre est attendu"),
    (float("nan"), "un nombre est attendu"), ("1e5", "un nombre est attendu"), (None, "un nombre est attendu"),
])
def test_beyond_the_stated_maximum_or_not_a_number_is_refused_in_french(raw, words):
    with pytest.raises(values.ValueRefused, match=words):
        values.parse_decimal(raw)


def test_a_definitions_rules_whole_numbers_bounds_and_unit():
    persons = values.NumberRule.of(integer=True, minimum=0, unit="personnes")
    assert values.check_number(persons, "12") == 12
    for bad, words in (("4,5", "nombre entier"), ("12,5", "nombre entier"), (-3, "au moins 0 personnes")):
        with pytest.raises(values.ValueRefused, match=words):
            values.check_number(persons, bad)
    assert persons.hint() == "Nombre entier au moins 0 (en personnes)"
    with pytest.raises(values.ValueRefused, match="dépasser le dénominateur"):
        values.check_part_of_whole(Decimal(30), Decimal(25))
    values.check_part_of_whole(Decimal(25), Decimal(25))
    with pytest.raises(values.ValueRefused, match="postérieure à aujourd'hui"):
        values.check_not_future(date(2031, 1, 1), date(2026, 12, 3))


def test_the_self_evaluation_keeps_numbers_exactly_and_states_its_rules_in_the_template():
    realise = contracts.Question("Q", "Réalisé", "number", min=0)
    assert contracts.normalise(realise, "999999999999,5") == 999999999999.5
    assert contracts.display(realise, contracts.normalise(realise, "999999999999")) == "999\u202f999\u202f999\u202f999"
    with pytest.raises(ValueError, match="trop grand"):
        contracts.normalise(realise, "99999999999999999999999999999")
    [indicator] = contracts.parse_template({"indicators": [{"code": "I", "label": "I", "questions": [
        {"code": "N", "label": "Réunions", "kind": "number", "integer": True, "unit": "réunions"},
        {"code": "D", "label": "Évaluation", "kind": "date", "not_future": True}]}]})
    checked = contracts.check_answers(indicator, {"N": "4,5", "D": "2031-01-01"}, "", today=date(2026, 12, 3))
    assert "nombre entier" in checked.errors["N"] and "postérieure à aujourd'hui" in checked.errors["D"]
    assert contracts.check_answers(indicator, {"N": "4", "D": "2026-12-03"}, "", today=date(2026, 12, 3)).errors == {}
    with pytest.raises(contracts.TemplateError) as refused:
        contracts.parse_template({"indicators": [{"code": "I", "label": "I", "questions": [
            {"code": "T", "label": "T", "kind": "text", "integer": True, "not_future": "oui"}]}]})
    assert {e["where"] for e in refused.value.errors} == {"indicators[0].questions[0].integer",
                                                          "indicators[0].questions[0].not_future"}


def test_the_cpom_checks_the_same_rules_as_its_indicator_definition_states_them():
    errors = {}
    regles = cpom.parse_regles({"entier": True, "minimum": 0, "unite": "personnes"}, "r", errors, "quantitatif")
    assert errors == {} and regles == {"entier": True, "minimum": 0, "unite": "personnes"}
    for raw, words in (({"valeur": -3}, "au moins 0 personnes"), ({"valeur": "12,5"}, "nombre entier"),
                       ({"valeur": "99999999999999999999999999999"}, "trop grand")):
        errors = {}
        assert cpom.parse_value("quantitatif", raw, "v", errors, regles) == {}
        assert words in errors["v.valeur"] and "un nombre est attendu" not in errors["v.valeur"]
    errors = {}
    part = cpom.parse_regles({"partie_d_un_tout": True}, "r", errors, "taux")
    assert cpom.parse_value("taux", {"numerateur": 30, "denominateur": 25}, "v", errors, part) == {}
    assert "dépasser le dénominateur" in errors["v.numerateur"]
    assert cpom.parse_value("taux", {"numerateur": 30, "denominateur": 25}, "w", {}, {})["taux"] == Decimal("120.00")
    errors = {}
    cpom.parse_regles({"entier": True}, "r", errors, "taux")
    cpom.parse_regles({"minimum": "x"}, "s", errors, "quantitatif")
    cpom.parse_regles({"unite": "u"}, "t", errors, "oui_non")
    assert set(errors) == {"r", "s.minimum", "t"}


def test_every_page_and_document_writes_numbers_the_same_french_way():
    for show in (french_number, in_word, values.french):
        assert show(999999999999) == MAXIMUM_TEXT and show(12345.5) == "12\u202f345,5" and show(0.1) == "0,1"
        assert show(1e-05) == "0,00001"  # never « 1e-05 »
