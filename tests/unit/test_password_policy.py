"""The rules a new password must meet beyond its composition (issue 16 item 6, ASVS 5.0 6.2.4, 6.2.11, 6.2.12;
NIST SP 800-63B §5.1.1.2): not a common or breached password, even decorated; none of the person's context
words; not the current password. And « Mon compte »'s phone number (issue 20, defect 3)."""

import pytest

from services.auth import passwords
from services.auth.account import phone_number

EMAIL = "claire.test@ccas-beaussais.fr"
CONTEXT = passwords.context_of({"nom": "Le Goff", "prenom": "Élodie", "email": EMAIL},
                               ["CCAS BEAUSSAIS SUR MER", "220006175"])


def unmet(password: str, context=CONTEXT, current_hash=None) -> list[str]:
    return passwords.unmet_rules(password, password, EMAIL, context, current_hash)


@pytest.mark.parametrize("password", [
    "Password2026!", "P@ssw0rd-2026", "Azerty123456!", "Motdepasse2026!", "Qwertyuiop12!", "!!Sunshine2026",
    "Iloveyou-1234", "Pass-Word-2026!", "JeTaime-2026!!",
])
def test_a_common_or_breached_password_is_refused_even_decorated(password):
    assert unmet(password) == ["not_common"]


@pytest.mark.parametrize("password", [
    "Elodie-Bretagne-2026!", "L3G0ff-Autumn-2026!", "LeGoff-Pluie-2026!", "Beaussais-Vent-2026!",
    "Claire.Test-Ete-2026!", "Mer-Ciel-220006175!", "CCAS-Maree-Haute-2026!",
])
def test_the_persons_name_email_or_ej_in_the_password_is_refused(password):
    assert unmet(password) == ["not_personal"]


def test_short_context_words_are_not_looked_for():
    # « sur », « mer »: too short to refuse a password for
    assert unmet("Sureau-Amer-2026!") == []


@pytest.mark.parametrize("password", [
    "Nouveau-Mot2Passe!", "Matrice-Acces-2026!x", "Marée-Basse-Quimper-2026", "Tisane&Violette-17",
])
def test_an_uncommon_password_without_context_words_passes(password):
    assert unmet(password) == []


def test_the_current_password_cannot_be_the_new_one():
    current = passwords.hash_password("Tisane&Violette-17")
    assert unmet("Tisane&Violette-17", current_hash=current) == ["not_current"]
    assert unmet("Tisane&Violette-18", current_hash=current) == []


def test_every_rule_has_its_french_label_and_message_in_the_policy():
    rules = [rule for rule, _, _ in passwords.RULES]
    assert rules[-1] == "match" and {"not_common", "not_personal", "not_current"} <= set(rules)
    for rule, label, message in passwords.RULES:
        assert label and message.endswith(".") and passwords.MESSAGES[rule] == message


def test_the_list_is_the_thirty_thousand_of_zxcvbn():
    listed = passwords.common_passwords()
    assert len(listed) >= 29_000 and "123456" in listed and "azerty" in listed


@pytest.mark.parametrize("raw, stored", [
    ("0296272027", "02 96 27 20 27"), ("02 96 27 20 27", "02 96 27 20 27"), ("02.96.27.20.27", "02 96 27 20 27"),
    ("02-96-27-20-27", "02 96 27 20 27"), ("+33 2 96 27 20 27", "02 96 27 20 27"), ("+33296272027", "02 96 27 20 27"),
    ("+33 (0)6 12 34 56 78", "06 12 34 56 78"), ("", ""), ("  ", ""),
])
def test_a_french_phone_number_is_kept_as_the_hint_shows_it(raw, stored):
    assert phone_number(raw) == stored


@pytest.mark.parametrize("raw", ["abc", "01 22 33 44", "00 22 33 44 55", "01 22 33 44 55 66", "1 22 33 44 55",
                                 "+44 20 7946 0958", "01/22/33/44/55", "0122334455x"])
def test_anything_else_is_not_a_phone_number(raw):
    assert phone_number(raw) is None
