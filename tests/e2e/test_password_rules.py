"""A new password is refused when common or breached, when it holds the person's context words (name, email,
their EJ's name or FINESS), or when it is the current one (issue 16 item 6, issue 20 defect 3), each with its
rule and French message, on « Renouveler le mot de passe » and in « Mon compte »; the rules appear in the
policy the checklist shows. « Mon compte »'s Téléphone follows its hint."""

import time

import httpx

from tests.conftest import unique
from tests.e2e.test_identity import api, reset_password
from tests.support import cpom as cpom_support
from tests.support.db import create_user, rows
from tests.support.identity import PASSWORD, active_user, bearer, sign_in

NEW = "Tisane&Violette-17"


def refused_rules(answer: httpx.Response) -> dict[str, str]:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "weak_password"
    return {item["rule"]: item["message"] for item in error["details"]["rules"]}


def change(gateway, tokens, password, current=PASSWORD) -> httpx.Response:
    return httpx.post(api(gateway, "/me/password"), headers=bearer(tokens),
                      json={"current_password": current, "password": password, "confirmation": password})


def test_the_policy_lists_the_new_rules_with_their_french_labels(gateway):
    policy = httpx.get(api(gateway, "/password-policy")).json()
    labels = {rule["rule"]: rule["label"] for rule in policy["rules"]}
    assert labels["not_common"] == "Absent des listes de mots de passe courants ou divulgués"
    assert labels["not_current"] == "Différent de votre mot de passe actuel"
    assert labels["not_personal"].startswith("Sans votre nom, votre prénom")
    assert policy["rules"][-1]["rule"] == "match"


def test_a_common_password_is_refused_at_reset_and_in_mon_compte(gateway, stack, mailbox):
    email = f"{unique('commun')}@e-cars.test"
    create_user(stack, email)
    rules = refused_rules(reset_password(gateway, mailbox, email, "Motdepasse2026!"))
    assert rules == {"not_common": "Ce mot de passe est trop courant ou figure parmi des mots de passe divulgués : "
                                   "choisissez-en un autre."}
    tokens = sign_in(gateway, *active_user(stack)[:1])
    assert set(refused_rules(change(gateway, tokens, "P@ssw0rd-2026"))) == {"not_common"}


def test_the_persons_name_or_email_in_the_password_is_refused(gateway, stack, mailbox):
    email = f"{unique('contexte')}@e-cars.test"
    create_user(stack, email, nom="Kerlouan", prenom="Maëlle")
    assert set(refused_rules(reset_password(gateway, mailbox, email, "Maelle-Printemps-2026!"))) == {"not_personal"}
    email, _ = active_user(stack, nom="Kerlouan", prenom="Maëlle")
    tokens = sign_in(gateway, email)
    for password in ("Kerl0uan-Printemps-2026!", f"{email.split('@')[0].title()}-Ete-2026!"):
        assert set(refused_rules(change(gateway, tokens, password))) == {"not_personal"}, password
    assert change(gateway, tokens, NEW).status_code == 200


def test_the_name_and_finess_of_the_persons_ej_are_refused(gateway, stack):
    ars_email, ars_id = active_user(stack, role="ars", region="Bretagne")
    ars = cpom_support.User(ars_email, ars_id, sign_in(gateway, ars_email))
    ej = cpom_support.organisation(gateway, ars, name="ASSOCIATION KERVEGAN")
    email, _ = active_user(stack)
    granted = httpx.post(api(gateway, "/habilitations"), headers=ars.headers, json={
        "scope_type": "ej", "scope_id": ej["finess"], "civilite": "Mme", "nom": "TEST", "prenom": "Anne",
        "fonction": "Directrice", "email": email})
    assert granted.status_code == 201, granted.text
    tokens = sign_in(gateway, email)
    deadline = time.monotonic() + 15  # cpom learns the habilitation from auth's event
    while httpx.get(f"{gateway}/api/cpom/ej/{ej['finess']}", headers=bearer(tokens)).status_code != 200:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    for password in ("Kervegan-Soleil-2026!", f"Maree-{ej['finess']}-Ok!"):
        rules = refused_rules(change(gateway, tokens, password))
        assert set(rules) == {"not_personal"}, password
        assert "numéro FINESS de votre établissement" in rules["not_personal"]


def test_the_new_password_cannot_be_the_current_one(gateway, stack, mailbox):
    tokens = sign_in(gateway, active_user(stack)[0])
    rules = refused_rules(change(gateway, tokens, PASSWORD))
    assert rules == {"not_current": "Le nouveau mot de passe doit être différent de votre mot de passe actuel."}
    # nor, at the first login, the one that was emailed (ASVS 6.4.1)
    from services.auth.passwords import hash_password

    email = f"{unique('envoye')}@e-cars.test"
    create_user(stack, email, password_hash=hash_password("Recu-par-email-2026!"), must_reset_password=True)
    assert set(refused_rules(reset_password(gateway, mailbox, email, "Recu-par-email-2026!"))) == {"not_current"}
    assert reset_password(gateway, mailbox, email, NEW, count=2).status_code == 200


def test_mon_compte_telephone_follows_its_hint(gateway, stack):
    email, user_id = active_user(stack)
    tokens = sign_in(gateway, email)
    for bad in ("abc", "01 22 33 44", "+44 20 7946 0958"):
        answer = httpx.patch(api(gateway, "/me"), headers=bearer(tokens), json={"telephone": bad})
        assert answer.status_code == 422, bad
        error = answer.json()["error"]
        assert error["code"] == "validation_failed"
        assert error["message"] == "Le numéro de téléphone doit comporter 10 chiffres, au format 01 22 33 44 55."
        assert error["details"] == {"telephone": "10 chiffres attendus, au format 01 22 33 44 55"}
    assert rows(stack, "SELECT telephone FROM auth.users WHERE id = %s", user_id)[0]["telephone"] == ""
    for typed in ("0296272027", "+33 2 96 27 20 27", "02.96.27.20.27"):
        answer = httpx.patch(api(gateway, "/me"), headers=bearer(tokens),
                             json={"telephone": typed, "current_password": PASSWORD})
        assert answer.status_code == 200 and answer.json()["telephone"] == "02 96 27 20 27", typed
    cleared = httpx.patch(api(gateway, "/me"), headers=bearer(tokens), json={"telephone": "",
                                                                           "current_password": PASSWORD})
    assert cleared.status_code == 200 and cleared.json()["telephone"] == ""


def test_a_password_is_checked_exactly_as_typed_and_may_have_64_characters(gateway, stack, mailbox):
    """ASVS 5.0 6.2.8 (no truncation, no case change: spaces count), 6.2.9 (64 characters allowed)."""
    email = f"{unique('exact')}@e-cars.test"
    create_user(stack, email)
    typed = " Tisane & Violette, 17 heures "
    assert reset_password(gateway, mailbox, email, typed).status_code == 200
    for other in (typed.strip(), typed.upper(), typed.lower(), typed[:-1]):
        assert httpx.post(api(gateway, "/login"), json={"email": email, "password": other}).status_code == 401
    assert httpx.post(api(gateway, "/login"), json={"email": email, "password": typed}).status_code == 200
    longest = "7 Hirondelles Sur Un Fil Tendu, Au Petit Matin De Quatre-Vingt-T"
    assert len(longest) == 64
    assert reset_password(gateway, mailbox, email, longest, count=2).status_code == 200
    assert httpx.post(api(gateway, "/login"), json={"email": email, "password": longest}).status_code == 200


def test_password_fields_are_masked_and_leave_paste_and_password_managers_alone(gateway, stack):
    """ASVS 5.0 6.2.6 (type=password), 6.2.7 (paste and password managers: autocomplete names the field, nothing
    blocks pasting)."""
    import re

    email, _ = active_user(stack)
    browser = httpx.Client(base_url=gateway)
    login_page = browser.get("/connexion").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login_page).group(1)
    assert browser.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": csrf}
                        ).status_code == 303
    account_page = browser.get("/mon-compte").text
    fields = {}
    for page in (login_page, account_page):
        for tag in re.findall(r"<input[^>]*>", page):
            name = re.search(r'name="([^"]+)"', tag)
            if name and name.group(1) in ("password", "current_password", "confirmation"):
                fields.setdefault(name.group(1), []).append(tag)
    # « Mon compte » asks the current password in three forms: the password's, the details' (a new phone number)
    # and the sessions' (ending another device's session)
    assert {name: len(tags) for name, tags in fields.items()} == {"password": 2, "current_password": 3,
                                                                  "confirmation": 1}
    for tags in fields.values():
        for tag in tags:
            assert 'type="password"' in tag, tag
            assert re.search(r'autocomplete="(current|new)-password"', tag), tag
            assert "onpaste" not in tag and 'autocomplete="off"' not in tag
    # no script listens to pasting, copying or cutting (other clicks may well be handled: « Reprendre les réponses »)
    script = browser.get("/static/ecars.js").text
    assert "onpaste" not in account_page and not re.search(r"""["'](paste|copy|cut)["']|on(paste|copy|cut)""", script)
