"""CPOM rules without a database: FINESS, planning, phases, CSV, grid, rates, completeness, changes."""

from datetime import date
from decimal import Decimal

import pytest

from services.cpom import domain

# -- FINESS ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("finess", ["220006175", "350001202", "710000068",  # the guide's EJs
                                    "750712184", "330781196", "690781810", "130786049",  # from the FINESS register
                                    "970100228",  # overseas: 97 + 0 + 1 (Guadeloupe)
                                    "2A0000014", "2B0001234"])  # Corsica: no Luhn key on letters
def test_valid_finess_numbers_pass(finess):
    assert domain.finess_problem(finess) is None


@pytest.mark.parametrize("finess, reason", [
    ("", "obligatoire"),
    (None, "obligatoire"),
    (220006175, "obligatoire"),  # a number, not a string: leading zeros would be lost
    ("22000617", "9 caractères"),
    ("2200061755", "9 caractères"),
    ("22000617X", "chiffres"),
    ("2C0000014", "chiffres"),
    ("220006176", "clé de contrôle"),  # last digit wrong
    ("350001203", "clé de contrôle"),
    ("200006171", "département"),  # 20 is not a FINESS département (2A / 2B)
    ("960000007", "département"),
    ("000000000", "département"),
    ("971000003", "département"),  # overseas numbers are written 970d…
])
def test_bad_finess_numbers_are_refused_with_the_reason(finess, reason):
    assert reason in domain.finess_problem(finess)


def test_leading_zeros_are_kept_and_the_departement_is_derived():
    assert domain.finess_problem("010000024") is None
    assert domain.finess_departement("010000024") == "01"
    assert domain.finess_departement("970100228") == "971"
    assert domain.finess_departement("980500039") == "976"
    assert domain.finess_departement("2A0000014") == "2A"


def test_luhn_key_completes_eight_digits():
    assert domain.luhn_key("22000617") == "5"
    assert domain.luhn_key("35000120") == "2"
    assert domain.luhn_key("71000006") == "8"


def test_phone_and_region_are_normalised():
    assert domain.normalise_phone("02 96 27 20 27") == "0296272027"
    assert domain.normalise_phone("02.96.27.20.27") == "0296272027"
    assert domain.normalise_phone("12345") is None
    assert domain.canonical_region("ile-de-france") == "Île-de-France"
    assert domain.canonical_region("BRETAGNE") == "Bretagne"
    assert domain.canonical_region("Bretagne du Sud") is None


# -- planning and phases --------------------------------------------------------------------------

def test_planning_values_are_parsed_and_named_problems_come_back():
    assert domain.parse_planning_value("date_effet", "2022-01-01") == (date(2022, 1, 1), None)
    assert domain.parse_planning_value("date_effet", None) == (None, None)
    assert domain.parse_planning_value("date_effet", "01/01/2022")[1] == "une date au format AAAA-MM-JJ est attendue"
    assert domain.parse_planning_value("date_effet", "2022-02-30")[1] == "cette date n'existe pas"
    assert "entre" in domain.parse_planning_value("date_effet", "0202-01-01")[1]
    assert domain.parse_planning_value("annee_dialogue_gestion", 0) == (None, None)  # the guide's « 0 »
    assert domain.parse_planning_value("annee_dialogue_gestion", 2024) == (2024, None)
    assert domain.parse_planning_value("annee_dialogue_gestion", "x")[1]
    assert domain.parse_planning_value("annee_dialogue_gestion", True)[1]


def test_planning_consistency_names_each_bad_field():
    good = {"date_effet": date(2022, 1, 1), "date_echeance": date(2026, 12, 31),
            "date_echeance_initiale": date(2021, 12, 31), "annee_dialogue_gestion": 2024}
    assert domain.planning_problems(good) == {}  # the guide's own CPOM: échéance initiale before effet is fine
    bad = {"date_effet": date(2022, 1, 1), "date_echeance": date(2022, 1, 1),
           "phase_diagnostic_planifiee": date(2022, 5, 1), "phase_negociation_planifiee": date(2022, 4, 1),
           "fin_diagnostic": date(2022, 4, 30), "annee_dialogue_gestion": 2030}
    problems = domain.planning_problems(bad)
    assert set(problems) == {"date_echeance", "phase_negociation_planifiee", "fin_diagnostic", "annee_dialogue_gestion"}
    assert "Date d'effet" in problems["date_echeance"]
    later = domain.planning_problems({"date_effet": date(2022, 1, 1), "date_echeance": date(2023, 1, 1),
                                      "annee_dialogue_gestion": 2030})
    assert "2022 à 2023" in later["annee_dialogue_gestion"]


def test_phases_go_one_step_at_a_time_and_signature_needs_the_validations():
    assert domain.transition_problem("diagnostic", "negociation", validated=False) is None
    assert domain.transition_problem("diagnostic", "lancement", validated=False) is None
    assert "suivante" in domain.transition_problem("diagnostic", "suivi", validated=True)
    assert "déjà" in domain.transition_problem("diagnostic", "diagnostic", validated=True)
    assert "validation" in domain.transition_problem("negociation", "signature", validated=False)
    assert domain.transition_problem("negociation", "signature", validated=True) is None
    assert domain.transition_problem("signature", "negociation", validated=False) is None


def test_a_conjointe_cpom_needs_both_validations():
    assert domain.required_validations("Conjointe") == ("ARS", "CD")
    assert not domain.is_validated("Conjointe", True, False)
    assert domain.is_validated("Conjointe", True, True)
    assert domain.is_validated("ARS", True, False)
    assert not domain.is_validated("CD", True, False)


# -- CSV ------------------------------------------------------------------------------------------

HEADER = "type;finess;nom;adresse;telephone;finess_ej;region;domaine"


def test_csv_rows_are_read_with_either_separator_and_accents_in_the_header():
    text = ("Type,FINESS,Raison sociale,Adresse,Téléphone,FINESS EJ,Région,Domaine\n"
            "EJ,220006175,CCAS,22650 BEAUSSAIS,02 96 27 20 27,,,\n"
            'ET,220012348,"RESIDENCE, DU PARC",5 R ERNEST ROUEL,,220006175,bretagne,Médico-social\n')
    rows = domain.parse_organisations_csv(text, 100)
    assert [(r.type, r.finess, r.errors) for r in rows] == [("EJ", "220006175", {}), ("ET", "220012348", {})]
    assert rows[0].values["telephone"] == "0296272027"
    assert rows[1].values["nom"] == "RESIDENCE, DU PARC" and rows[1].values["region"] == "Bretagne"


def test_csv_bad_rows_carry_their_line_and_field():
    text = "\n".join([HEADER, "EJ;220006175;CCAS;ADR;;;;", "EJ;220006176;X;ADR;;;;", "XX;220006175;;ADR;;;;",
                      "ET;220012348;ET;ADR;;220006175;Atlantide;", "EJ;220006175;CCAS;ADR;;;;"]) + "\n"
    rows = domain.parse_organisations_csv(text, 100)
    errors = {r.line: r.errors for r in rows}
    assert errors[2] == {}
    assert "clé de contrôle" in errors[3]["finess"]
    assert set(errors[4]) == {"type", "nom"}
    assert set(errors[5]) == {"region", "domaine"}
    assert "ligne 2" in errors[6]["finess"]


def test_a_csv_whose_header_is_wrong_is_refused_as_a_whole():
    with pytest.raises(domain.CsvError) as refused:
        domain.parse_organisations_csv("type;finess;nom;adresse;couleur\n", 100)
    assert refused.value.details == {"colonnes_inconnues": ["couleur"]}
    with pytest.raises(domain.CsvError):
        domain.parse_organisations_csv("type;finess\n", 100)
    with pytest.raises(domain.CsvError):
        domain.parse_organisations_csv(HEADER + "\n", 100)
    assert domain.decode_csv("é".encode("cp1252")) == "é"


# -- grid, values ---------------------------------------------------------------------------------

def test_the_grid_document_is_checked_whole_with_places():
    ok = domain.parse_grid({"axes": [{"code": "A", "libelle": "Axe", "objectifs": [
        {"code": "O", "libelle": "Obj", "perimetre": ["220012348"], "indicateurs": [
            {"code": "I", "libelle": "Ind", "type": "taux", "categorie": "soins", "declinaison": "et_par_et"}]}]}]},
        {"220012348"})
    assert ok[0]["objectifs"][0]["perimetre_tous"] is False
    with pytest.raises(domain.GridError) as refused:
        domain.parse_grid({"axes": [{"code": "A", "libelle": "Axe", "objectifs": [
            {"code": "O", "libelle": "", "perimetre": ["999999999"], "indicateurs": [
                {"code": "I", "libelle": "Ind", "type": "ratio", "categorie": "soins", "declinaison": "et_par_et"},
                {"code": "I", "libelle": "Ind", "type": "taux", "categorie": "soins", "declinaison": "ET"}]}]}]},
            {"220012348"})
    assert set(refused.value.errors) == {
        "axes[0].objectifs[0].libelle", "axes[0].objectifs[0].perimetre",
        "axes[0].objectifs[0].indicateurs[0].type", "axes[0].objectifs[0].indicateurs[1].code",
        "axes[0].objectifs[0].indicateurs[1].declinaison"}


def test_at_most_five_actions():
    assert domain.parse_actions(["a"] * 5) == (["a"] * 5, {})
    assert "au plus 5" in domain.parse_actions(["a"] * 6)[1]["actions"]
    assert domain.parse_actions(["a", ""])[1] == {"actions[1]": "obligatoire"}


@pytest.mark.parametrize("num, den, expected", [
    (1, 8, "12.50"), (1, 3, "33.33"), (2, 3, "66.67"), (1, 800, "0.13"),  # 0.125 → 0.13 (half-up)
    (-1, 800, "-0.13"), (5, 5, "100.00"), (0, 7, "0.00"), (8, 100, "8.00"), ("12,5", "1000", "1.25"),
])
def test_rates_are_percentages_rounded_half_up_to_two_decimals(num, den, expected):
    errors = {}
    value = domain.parse_value("taux", {"numerateur": num, "denominateur": den}, "v", errors)
    assert errors == {} and value["taux"] == Decimal(expected)


def test_a_zero_denominator_is_refused_with_a_message():
    errors = {}
    assert domain.parse_value("taux", {"numerateur": 3, "denominateur": 0}, "v", errors) == {}
    assert errors == {"v.denominateur": domain.ZERO_DENOMINATOR}


def test_values_of_each_type():
    errors = {}
    # « 1 000 » is a number the French way, as the self-evaluation reads it (one set of rules: ecars_common.values)
    assert domain.parse_value("quantitatif", {"valeur": "1 000"}, "a", errors) == {"valeur_nombre": Decimal(1000)}
    assert domain.parse_value("quantitatif", {"valeur": "mille"}, "a", errors) == {}
    assert domain.parse_value("quantitatif", {"valeur": 12.5}, "b", errors) == {"valeur_nombre": Decimal("12.5")}
    assert domain.parse_value("oui_non", {"valeur": "oui"}, "c", errors) == {}
    assert domain.parse_value("oui_non", {"valeur": False}, "d", errors) == {"valeur_booleen": False}
    assert domain.parse_value("qualitatif", {"valeur": " texte "}, "e", errors) == {"valeur_texte": "texte"}
    assert domain.parse_value("quantitatif", {"valeur": True}, "f", errors) == {}
    assert domain.parse_value("quantitatif", {"valeur": float("nan")}, "g", errors) == {}
    assert set(errors) == {"a.valeur", "c.valeur", "f.valeur", "g.valeur"}
    assert domain.french_number(Decimal("12345.50")) == "12\u202f345,5"
    assert domain.rate_label(Decimal("8.33")) == "8,33 %"


# -- completeness and changes ---------------------------------------------------------------------

ETS = [{"finess": "220012348", "nom": "RESIDENCE"}, {"finess": "220000186", "nom": "AUTRE"}]


def objective(code="O1", actions=(), values=(), scope=None, og=(), chosen=None, declinaison="et_par_et"):
    return {"code": code, "libelle": code, "description": "", "axe": {"code": "A", "libelle": "A"},
            "perimetre": {"tous": scope is None, "etablissements": scope or []}, "elements_og": list(og),
            "element_selectionne_og": chosen,
            "actions": [{"numero": i + 1, "libelle": a} for i, a in enumerate(actions)],
            "indicateurs": [{"code": "I1", "libelle": "I1", "type": "taux", "categorie": "soins",
                             "declinaison": declinaison, "indications": "",
                             "valeurs": [{"etablissement": et, "valeur": v, "numerateur": v, "denominateur": 1,
                                          "taux": v} for et, v in values]}]}


def test_what_is_missing_before_a_transmission():
    assert domain.missing_items([], ETS)[0]["type"] == "grille_vide"
    missing = domain.missing_items([objective(values=[("220012348", 1)], og=["a"])], ETS)
    assert [(m["type"], (m.get("etablissement") or {}).get("finess")) for m in missing] == [
        ("objectif_sans_action", None), ("element_og_manquant", None), ("valeur_manquante", "220000186")]
    assert domain.missing_items([objective(actions=["x"], values=[("220012348", 1)], scope=["220012348"])],
                                ETS) == []
    cpom_level = domain.missing_items([objective(actions=["x"], declinaison="cpom")], ETS)
    assert [(m["type"], m["etablissement"]) for m in cpom_level] == [("valeur_manquante", None)]


def test_changes_between_two_snapshots():
    before = {"objectifs": [objective(actions=["a", "b"], values=[("220012348", 1), ("220000186", 2)])],
              "remarques": []}
    after = {"objectifs": [objective(actions=["a", "B"], values=[("220012348", 1), ("220000186", 3)]),
                           objective(code="O2")],
             "remarques": [{"id": "r1", "texte": "t", "auteur": "x", "le": "2024"}]}
    changes = domain.changes_between(before, after)
    assert [(c["kind"], c["change"], c["objectif"], c["action"], c["etablissement"]) for c in changes] == [
        ("action", "changed", "O1", 2, None),
        ("valeur", "changed", "O1", None, "220000186"),
        ("objectif", "added", "O2", None, None),
        ("indicateur", "added", "O2", None, None),
        ("remarque", "added", None, None, None)]
    assert changes[0]["before"] == {"numero": 2, "libelle": "b"} and changes[0]["after"]["libelle"] == "B"
    removed = domain.changes_between(after, {"objectifs": [objective(actions=["a"])], "remarques": []})
    assert ("action", "removed", 2) in [(c["kind"], c["change"], c["action"]) for c in removed]
    assert ("objectif", "removed", "O2") in [(c["kind"], c["change"], c["objectif"]) for c in removed]
    assert domain.changes_between(before, before) == []
