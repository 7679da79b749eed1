"""The gateway's server-side web sessions (issue 16 items 1, 2, 3, 5; ASVS 5.0 V7 and V3.3): the cookie holds a
random id only, the session row ends with « Se déconnecter », its timeouts, a password change, and any revocation
of its tokens by auth; a form sent after the end is kept; « Mon compte » lists the sessions per device."""

import re
import time

import httpx
import pytest
from flask import Flask

from gateway.app import create_app
from gateway.config import Config
from tests.support.cpom import bretagne_cpom
from tests.support.db import rows
from tests.support.identity import PASSWORD, active_user, bearer, password_hash, sign_in
from tests.support.web_sessions import age, opens_nothing, sessions_of, stored

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
IDLE, ABSOLUTE = 1800, 43200  # the defaults the test stack runs with
DEADLINE = 20  # a wait for a state (the revocations are polled every 2 s), not a timing assertion


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def web_sign_in(gateway: str, email: str, user_agent: str = CHROME, follow: str | None = None) -> httpx.Client:
    browser = httpx.Client(base_url=gateway, headers={"User-Agent": user_agent})
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_of(browser.get("/connexion").text)}
    if follow:
        form["suivant"] = follow
    answer = browser.post("/connexion", data=form)
    assert answer.status_code == 303, answer.text
    return browser


def cookie(browser: httpx.Client) -> str:
    return browser.cookies["ecars_session"]


def sent_back_to_login(browser: httpx.Client, page: str = "/accueil") -> bool:
    answer = browser.get(page)
    if answer.status_code == 200:
        return False
    assert answer.status_code == 302 and answer.headers["location"].startswith("/connexion"), answer.status_code
    return True


def until_sent_back_to_login(browser: httpx.Client) -> None:
    deadline = time.monotonic() + DEADLINE
    while not sent_back_to_login(browser):
        assert time.monotonic() < deadline, "the web session is still open"
        time.sleep(0.2)


# -- The cookie -------------------------------------------------------------------------------------

def test_the_cookie_holds_a_new_random_id_at_each_sign_in_and_the_tokens_stay_server_side(stack, gateway):
    email, user_id = active_user(stack)
    browser = httpx.Client(base_url=gateway)
    page = browser.get("/connexion")
    anonymous = cookie(browser)
    header = page.headers["set-cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
    assert "Expires" not in header and "Domain" not in header
    answer = browser.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303
    signed_in = cookie(browser)
    assert signed_in != anonymous  # no fixation (ASVS 5.0 7.2.4)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", signed_in)  # 32 random bytes: 256 bits (7.2.3)
    assert stored(stack, anonymous) is None
    row = stored(stack, signed_in)
    assert row["user_id"] == user_id and row["data"]["access_token"] and row["data"]["refresh_token"]
    assert row["data"]["access_token"] not in signed_in and row["id"] != signed_in  # the table holds a hash
    assert browser.get("/accueil").status_code == 200


@pytest.mark.parametrize("secure", [False, True])
def test_over_tls_the_cookie_is_secure_with_the_host_prefix_and_pages_carry_hsts(stack_env, monkeypatch, secure):
    for name, value in stack_env.items():
        if name.startswith("ECARS_"):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("ECARS_SECURE_COOKIES", "true" if secure else "false")
    app: Flask = create_app(Config())
    client = app.test_client()
    answer = client.get("/connexion", base_url="https://ecars.example.fr" if secure else "http://localhost")
    header = answer.headers["Set-Cookie"]
    if secure:
        assert header.startswith("__Host-ecars_session=")
        assert "; Secure" in header and "; HttpOnly" in header and "; Path=/" in header and "Domain" not in header
        assert answer.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    else:
        assert header.startswith("ecars_session=") and "Secure" not in header
        assert "Strict-Transport-Security" not in answer.headers


# -- Ending -----------------------------------------------------------------------------------------

def test_after_the_idle_timeout_or_the_absolute_lifetime_the_session_is_over(stack, gateway):
    email, _ = active_user(stack)
    for idle, lifetime in ((IDLE + 1, 0), (60, ABSOLUTE + 1)):
        browser = web_sign_in(gateway, email)
        kept = cookie(browser)
        age(stack, kept, idle_seconds=IDLE - 60)
        assert browser.get("/accueil").status_code == 200  # still within: and that page was activity
        assert (time.time() - stored(stack, kept)["last_seen_at"].timestamp()) < 30
        age(stack, kept, idle_seconds=idle, since_sign_in_seconds=lifetime)
        answer = browser.get("/mon-compte")
        assert answer.status_code == 302 and answer.headers["location"] == "/connexion?suivant=/mon-compte"
        assert opens_nothing(stack, kept)
        assert "Votre session a expiré, reconnectez-vous." in browser.get(answer.headers["location"]).text


def test_the_idle_timeout_ends_the_session_at_auth_too(stack, gateway):
    email, user_id = active_user(stack)
    browser = web_sign_in(gateway, email)
    [auth_session] = rows(stack, "SELECT id FROM auth.sessions WHERE user_id = %s AND ended_at IS NULL", user_id)
    age(stack, cookie(browser), idle_seconds=IDLE + 1)
    assert sent_back_to_login(browser)
    deadline = time.monotonic() + DEADLINE  # ended in the background
    while (ended := rows(stack, "SELECT ended_at, ended_reason FROM auth.sessions WHERE id = %s",
                         auth_session["id"])[0])["ended_at"] is None:
        assert time.monotonic() < deadline, "auth's session is still open"
        time.sleep(0.1)
    assert ended["ended_reason"] == "logout"

    # one nobody came back to: purged (by the next sign-in), and ended at auth all the same
    forgotten = web_sign_in(gateway, email)
    [auth_session] = rows(stack, "SELECT id FROM auth.sessions WHERE user_id = %s AND ended_at IS NULL", user_id)
    age(stack, cookie(forgotten), idle_seconds=IDLE + 1)
    deadline = time.monotonic() + 90  # the purge runs at most once a minute per gateway process
    while rows(stack, "SELECT ended_at FROM auth.sessions WHERE id = %s", auth_session["id"])[0]["ended_at"] is None:
        assert time.monotonic() < deadline, "a purged web session is still open at auth"
        web_sign_in(gateway, active_user(stack)[0])
        time.sleep(1)
    assert stored(stack, cookie(forgotten)) is None


def test_a_password_changed_elsewhere_or_every_session_ended_by_support_ends_the_web_session(stack, gateway):
    email, user_id = active_user(stack)
    browser = web_sign_in(gateway, email)
    elsewhere = sign_in(gateway, email)  # another device, through the API
    changed = httpx.post(f"{gateway}/api/auth/me/password", headers=bearer(elsewhere),
                         json={"current_password": PASSWORD, "password": "Autre-Secret-2026?x",
                               "confirmation": "Autre-Secret-2026?x"})
    assert changed.status_code == 200
    until_sent_back_to_login(browser)  # auth's revocation, polled by the gateway
    assert sessions_of(stack, user_id) == []

    support, _ = active_user(stack, role="support")
    rows(stack, "UPDATE auth.users SET password_hash = %s WHERE id = %s RETURNING id", password_hash(), user_id)
    browser = web_sign_in(gateway, email)
    ended = httpx.delete(f"{gateway}/api/auth/users/{user_id}/sessions", headers=bearer(sign_in(gateway, support)))
    assert ended.status_code == 200
    until_sent_back_to_login(browser)


def test_a_second_revocation_within_the_same_second_still_ends_the_sessions_opened_after_the_first(stack, gateway):
    """Why the test above failed in the whole suite's run (on a machine alone, where it runs fastest): the password
    changed, then the support team ending every session less than a second later. A revocation refuses the tokens
    issued before its instant, and the tokens issued after it are given that instant at least, so as not to be
    refused by it; instants were whole seconds, so the second revocation had the same instant as the first and did
    not refuse the session opened between the two: it stayed open until its access token expired (15 min). Made
    deterministic here: the person's last revocation is put 3 s ahead (a revocation just made is up to 1 s ahead)."""
    email, user_id = active_user(stack)
    support, _ = active_user(stack, role="support")
    support_tokens = sign_in(gateway, support)
    rows(stack, "UPDATE auth.users SET tokens_not_before = now() + interval '3 seconds' WHERE id = %s RETURNING id",
         user_id)
    browser = web_sign_in(gateway, email)  # opened after that revocation: its tokens are not refused by it
    elsewhere = sign_in(gateway, email)
    assert browser.get("/accueil").status_code == 200
    assert httpx.get(f"{gateway}/api/auth/me", headers=bearer(elsewhere)).status_code == 200
    ended = httpx.delete(f"{gateway}/api/auth/users/{user_id}/sessions", headers=bearer(support_tokens))
    assert ended.status_code == 200 and ended.json()["ended"] == 2
    until_sent_back_to_login(browser)
    deadline = time.monotonic() + DEADLINE
    while httpx.get(f"{gateway}/api/auth/me", headers=bearer(elsewhere)).status_code != 401:
        assert time.monotonic() < deadline, "the access token of the other device is still accepted"
        time.sleep(0.2)
    again = web_sign_in(gateway, email)  # and the person can sign in again at once
    assert again.get("/accueil").status_code == 200


def test_revoking_the_last_habilitation_of_an_etablissement_user_ends_their_sessions(stack, gateway):
    """ASVS 5.0 7.4.2: an établissement user whose last habilitation is revoked can do nothing more in e-CARS: their
    sessions end (the copied cookie goes to « Se connecter »). One habilitation of several revoked takes that scope
    away (each service's projection) and leaves the session: the person keeps working on their other EJs."""
    ars_tokens = sign_in(gateway, active_user(stack, role="ars", region="Bretagne")[0])
    first, second = bretagne_cpom(stack, gateway), bretagne_cpom(stack, gateway)
    email, user_id = active_user(stack)
    granted = []
    for cpom in (first, second):
        answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(ars_tokens), json={
            "scope_type": "cpom", "scope_id": cpom, "civilite": "Mme", "nom": "DUPONT", "prenom": "Marie",
            "fonction": "Directrice", "email": email})
        assert answer.status_code == 201, answer.text
        granted.append(answer.json()["id"])
    browser = web_sign_in(gateway, email)
    copied = httpx.Client(base_url=gateway, cookies={"ecars_session": cookie(browser)})

    def revoke(habilitation_id: str) -> None:
        answer = httpx.delete(f"{gateway}/api/auth/habilitations/{habilitation_id}", headers=bearer(ars_tokens))
        assert answer.status_code == 204, answer.text

    revoke(granted[0])
    assert rows(stack, "SELECT ended_at FROM auth.sessions WHERE user_id = %s", user_id) == [{"ended_at": None}]
    assert rows(stack, "SELECT tokens_not_before FROM auth.users WHERE id = %s", user_id) == [
        {"tokens_not_before": None}]  # nothing cut short
    assert copied.get("/accueil").status_code == 200

    revoke(granted[1])
    until_sent_back_to_login(copied)
    assert sent_back_to_login(browser)
    [ended] = rows(stack, "SELECT ended_reason FROM auth.sessions WHERE user_id = %s", user_id)
    assert ended["ended_reason"] == "habilitations_revoked"
    [audited] = rows(stack, "SELECT details FROM auth.audit_log WHERE user_id = %s AND action = 'sessions.ended_all'",
                     user_id)
    assert audited["details"]["reason"] == "habilitations_revoked" and audited["details"]["sessions"] == 1
    assert sessions_of(stack, user_id) == []


def test_a_password_change_in_mon_compte_closes_the_other_web_sessions_and_keeps_this_one(stack, gateway):
    email, user_id = active_user(stack)
    here, other = web_sign_in(gateway, email), web_sign_in(gateway, email, FIREFOX)
    page = here.get("/mon-compte")
    assert "vos sessions ouvertes sur les autres appareils seront fermées." in page.text
    answer = here.post("/mon-compte/mot-de-passe", data={
        "csrf_token": csrf_of(page.text), "current_password": PASSWORD, "password": "Autre-Secret-2026?x",
        "confirmation": "Autre-Secret-2026?x"})
    assert answer.status_code == 303 and answer.headers["location"] == "/mon-compte"
    assert [row["id"] for row in sessions_of(stack, user_id)] == [stored(stack, cookie(here))["id"]]
    assert sent_back_to_login(other)
    after = here.get("/mon-compte")
    assert after.status_code == 200
    assert "Vos sessions ouvertes sur les autres appareils ont été fermées." in after.text
    assert "Se déconnecter de tous les appareils" in after.text


def test_the_wrong_current_password_that_locks_the_account_ends_this_web_session(stack, gateway):
    email, user_id = active_user(stack)
    browser = web_sign_in(gateway, email)
    kept = cookie(browser)
    page = browser.get("/mon-compte").text
    # one failure short of the account's lock (ECARS_AUTH_ACCOUNT_MAX_FAILURES, 50), from other addresses
    rows(stack, "INSERT INTO auth.login_throttle (key, failures, last_failure_at) VALUES (%s, 49, now()) RETURNING key",
         f"account:{email}")
    answer = browser.post("/mon-compte/mot-de-passe", data={
        "csrf_token": csrf_of(page), "current_password": "pas-le-bon-1A!", "password": "Autre-Secret-2026?x",
        "confirmation": "Autre-Secret-2026?x"})
    assert answer.status_code == 303 and answer.headers["location"] == "/connexion"
    assert "Trop de tentatives infructueuses" in browser.get("/connexion").text
    assert stored(stack, kept) is None and sessions_of(stack, user_id) == []
    assert sent_back_to_login(httpx.Client(base_url=gateway, cookies={"ecars_session": kept}))


# -- What the page says of the time left ------------------------------------------------------------

def test_asking_the_time_left_is_not_activity_and_prolonger_la_session_is(stack, gateway):
    email, _ = active_user(stack)
    browser = web_sign_in(gateway, email)
    csrf = csrf_of(browser.get("/mon-compte").text)
    age(stack, cookie(browser), idle_seconds=IDLE - 100)
    state = browser.get("/session/etat", headers={"Accept": "application/json"})
    assert state.status_code == 200
    assert state.json()["signed_in"] and 90 <= state.json()["remaining"] <= 100 and state.json()["extendable"]
    assert browser.get("/session/etat").json()["remaining"] <= 100  # still: asking did not extend it
    prolonged = browser.post("/session/prolonger", data={"csrf_token": csrf}, headers={"Accept": "application/json"})
    assert prolonged.status_code == 200 and prolonged.json()["remaining"] > IDLE - 30
    assert browser.get("/session/etat").json()["remaining"] > IDLE - 30
    # without the script, the button is a plain form: back to the page
    plain = browser.post("/session/prolonger", data={"csrf_token": csrf, "suivant": "/mon-compte"})
    assert plain.status_code == 303 and plain.headers["location"] == "/mon-compte"
    assert browser.post("/session/prolonger", data={"csrf_token": "faux"}).status_code == 400
    assert browser.post("/session/prolonger", data={"csrf_token": csrf, "suivant": "https://ailleurs.example"}
                        ).headers["location"] == "/accueil"
    # near the absolute lifetime, the page is told it cannot be extended, and « Prolonger » does not extend it
    age(stack, cookie(browser), since_sign_in_seconds=ABSOLUTE - 50)
    near_the_end = browser.get("/session/etat").json()
    assert near_the_end["remaining"] <= 50 and near_the_end["extendable"] is False
    prolonged = browser.post("/session/prolonger", data={"csrf_token": csrf}, headers={"Accept": "application/json"})
    assert prolonged.json()["remaining"] <= 50
    age(stack, cookie(browser), idle_seconds=IDLE + 1)
    assert browser.get("/session/etat").status_code == 401
    assert httpx.get(f"{gateway}/session/etat").json() == {"signed_in": False, "remaining": 0, "extendable": False}


def test_a_form_sent_after_the_timeout_is_kept_and_offered_back_after_signing_in(stack, gateway):
    email, _ = active_user(stack)
    browser = web_sign_in(gateway, email)
    csrf = csrf_of(browser.get("/mon-compte").text)
    age(stack, cookie(browser), idle_seconds=IDLE + 1)
    assert browser.get("/session/etat").status_code == 401  # the page's script learns it: the cookie stays
    sent = browser.post("/mon-compte/informations", headers={"Referer": f"{gateway}/mon-compte"}, data={
        "csrf_token": csrf, "civilite": "M.", "nom": "LEGRAND", "prenom": "Étienne", "fonction": "Directeur",
        "telephone": "", "current_password": "jamais-garde"})
    assert sent.status_code == 303 and sent.headers["location"] == "/connexion?suivant=/mon-compte"
    login = browser.get(sent.headers["location"])
    assert "ce que vous aviez saisi a été conservé" in login.text
    assert "LEGRAND" not in login.text  # offered on its page, once signed in
    signed_in = browser.post("/connexion", data={"email": email, "password": PASSWORD, "suivant": "/mon-compte",
                                                 "csrf_token": csrf_of(login.text)})
    assert signed_in.headers["location"] == "/mon-compte"
    page = browser.get("/mon-compte").text
    assert "Votre saisie a été conservée" in page and "LEGRAND" in page and "Étienne" in page
    assert "jamais-garde" not in page and csrf not in page
    assert [m for m in rows(stack, "SELECT nom FROM auth.users WHERE email = %s", email)] == [{"nom": "DUPONT"}]
    assert "Votre saisie a été conservée" not in browser.get("/mon-compte").text  # offered once


def test_a_form_kept_for_one_person_is_not_offered_to_another(stack, gateway):
    email, _ = active_user(stack)
    someone_else, _ = active_user(stack)
    browser = web_sign_in(gateway, email)
    csrf = csrf_of(browser.get("/mon-compte").text)
    age(stack, cookie(browser), idle_seconds=IDLE + 1)
    browser.post("/mon-compte/informations", headers={"Referer": f"{gateway}/mon-compte"},
                 data={"csrf_token": csrf, "civilite": "M.", "nom": "SECRET", "prenom": "X"})
    login = browser.get("/connexion?suivant=/mon-compte")
    browser.post("/connexion", data={"email": someone_else, "password": PASSWORD, "suivant": "/mon-compte",
                                     "csrf_token": csrf_of(login.text)})
    assert "SECRET" not in browser.get("/mon-compte").text


# -- « Mon compte »: the sessions ------------------------------------------------------------------

def test_mon_compte_lists_each_device_and_ends_one_or_all(stack, gateway):
    email, user_id = active_user(stack)
    here, other = web_sign_in(gateway, email, CHROME), web_sign_in(gateway, email, FIREFOX)
    page = here.get("/mon-compte").text
    assert "Mes sessions ouvertes" in page and "Heures de Paris" in page
    assert "Chrome sous Linux" in page and "Firefox sous Windows" in page and "Cet appareil" in page
    [firefox] = rows(stack, "SELECT id FROM auth.sessions WHERE user_id = %s AND user_agent = %s AND ended_at IS NULL",
                     user_id, FIREFOX)
    assert re.search(r"\d{2}/\d{2}/\d{4} à \d{2}h\d{2}", page)
    # another device's session asks the current password (ASVS 5.0 7.5.2): none, then a wrong one, end nothing
    for typed, said in (("", "Pour fermer la session d&#39;un autre appareil, saisissez votre mot de passe actuel"),
                        ("pas-le-bon-mot-de-passe", "Le mot de passe actuel est incorrect.")):
        refused = here.post(f"/mon-compte/sessions/{firefox['id']}/fermer",
                            data={"csrf_token": csrf_of(page), "current_password": typed})
        assert refused.status_code == 422 and said in refused.text, refused.text[:3000]
        assert "pas-le-bon-mot-de-passe" not in refused.text and 'id="sessions-mot-de-passe-erreur"' in refused.text
        assert not sent_back_to_login(other)
    ended = here.post(f"/mon-compte/sessions/{firefox['id']}/fermer",
                      data={"csrf_token": csrf_of(page), "current_password": PASSWORD})
    assert ended.status_code == 303
    assert sent_back_to_login(other)  # its web session was deleted with it
    page = here.get(ended.headers["location"]).text
    assert "La session a été fermée." in page and "Firefox sous Windows" not in page
    # bad input: not a session id, someone else's, no CSRF token
    assert here.post("/mon-compte/sessions/pas-un-id/fermer", data={"csrf_token": csrf_of(page)}).status_code == 404
    stranger, stranger_id = active_user(stack)
    web_sign_in(gateway, stranger)
    [theirs] = rows(stack, "SELECT id FROM auth.sessions WHERE user_id = %s", stranger_id)
    refused = here.post(f"/mon-compte/sessions/{theirs['id']}/fermer", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 303
    assert rows(stack, "SELECT ended_at FROM auth.sessions WHERE id = %s", theirs["id"]) == [{"ended_at": None}]
    assert here.post(f"/mon-compte/sessions/{firefox['id']}/fermer", data={}).status_code == 400

    again = web_sign_in(gateway, email, FIREFOX)
    page = here.get("/mon-compte").text
    refused = here.post("/mon-compte/sessions/fermer-toutes", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 422 and "saisissez votre mot de passe actuel" in refused.text
    assert not sent_back_to_login(again) and not sent_back_to_login(here)
    everywhere = here.post("/mon-compte/sessions/fermer-toutes",
                           data={"csrf_token": csrf_of(page), "current_password": PASSWORD})
    assert everywhere.status_code == 303 and everywhere.headers["location"] == "/connexion"
    assert "Vous avez été déconnecté de tous les appareils." in here.get("/connexion").text
    assert sent_back_to_login(again) and sessions_of(stack, user_id) == []


def test_this_devices_session_ends_without_the_password_and_others_with_it(stack, gateway):
    """Ending only this session is a logout (no password asked); « Fermer mes autres sessions » asks for it."""
    email, user_id = active_user(stack)
    here, other = web_sign_in(gateway, email, CHROME), web_sign_in(gateway, email, FIREFOX)
    page = here.get("/mon-compte").text
    refused = here.post("/mon-compte/sessions/fermer-les-autres", data={"csrf_token": csrf_of(page)})
    assert refused.status_code == 422 and not sent_back_to_login(other)
    kept = here.post("/mon-compte/sessions/fermer-les-autres",
                     data={"csrf_token": csrf_of(page), "current_password": PASSWORD})
    assert kept.status_code == 303 and "Vos autres sessions ont été fermées." in here.get(kept.headers["location"]).text
    assert sent_back_to_login(other)
    [mine] = rows(stack, "SELECT id FROM auth.sessions WHERE user_id = %s AND ended_at IS NULL", user_id)
    page = here.get("/mon-compte").text
    alone = here.post(f"/mon-compte/sessions/{mine['id']}/fermer", data={"csrf_token": csrf_of(page)})
    assert alone.status_code == 303 and alone.headers["location"] == "/connexion"
    assert sessions_of(stack, user_id) == []
