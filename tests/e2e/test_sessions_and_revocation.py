"""Access tokens cut short (issue 16 item 4): a per-session and per-user « not before » recorded by auth and
polled by every token verifier (ecars_common/revocations.py), so that logging out, ending a session from
« Mon compte », « Se déconnecter de tous les appareils », a password change or reset and a stolen refresh
token make the tokens already issued refused by the gateway and every service within seconds, and the
sessions listed per device (ASVS 5.0 7.4.1, 7.4.3, 7.5.2 — the gateway's own server-side sessions aside)."""

import re
import time

import httpx
import jwt

from tests.support.db import rows
from tests.support.identity import PASSWORD, active_user, bearer, sign_in
from tests.support.tokens import claims_of

NEW = "Nouvelle-Cle-Secrete-2026!"
# The bound stated in docs/security.md is the poll interval (2 s) plus a poll; this deadline only keeps a loaded
# machine from failing the test: it is a wait for a state, not a timing assertion.
DEADLINE = 20


def api(gateway, path):
    return f"{gateway}/api/auth{path}"


def checks(stack, gateway, tokens) -> dict[str, httpx.Response]:
    """The same token at the gateway (auth, contracts) and straight at two services."""
    headers = bearer(tokens)
    return {
        "gateway → auth": httpx.get(api(gateway, "/me"), headers=headers),
        "gateway → contracts": httpx.get(f"{gateway}/api/contracts/me/habilitations", headers=headers),
        "cpom": httpx.get(f"http://127.0.0.1:{stack.service_port('cpom')}/me/habilitations", headers=headers),
        "documents": httpx.get(f"http://127.0.0.1:{stack.service_port('documents')}/me/habilitations",
                               headers=headers),
    }


def accepted_everywhere(stack, gateway, tokens) -> None:
    statuses = {where: answer.status_code for where, answer in checks(stack, gateway, tokens).items()}
    assert set(statuses.values()) == {200}, statuses


def refused_everywhere(stack, gateway, tokens) -> None:
    deadline = time.monotonic() + DEADLINE
    while True:
        answers = checks(stack, gateway, tokens)
        if all(answer.status_code == 401 for answer in answers.values()):
            for answer in answers.values():
                assert answer.json()["error"]["code"] == "invalid_token"
            return
        assert time.monotonic() < deadline, {where: a.status_code for where, a in answers.items()}
        time.sleep(0.2)


def refresh(gateway, tokens) -> httpx.Response:
    return httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": tokens["refresh_token"]})


def test_logout_ends_this_session_everywhere_and_only_this_one(stack, gateway):
    email, _ = active_user(stack)
    here, elsewhere = sign_in(gateway, email), sign_in(gateway, email)
    accepted_everywhere(stack, gateway, here)  # the verifiers have seen the token (and cached it)
    assert httpx.post(api(gateway, "/logout"), headers=bearer(here)).status_code == 204
    refused_everywhere(stack, gateway, here)
    assert refresh(gateway, here).status_code == 401
    accepted_everywhere(stack, gateway, elsewhere)
    assert refresh(gateway, elsewhere).status_code == 200


def test_a_password_change_ends_every_other_session_and_renews_this_one(stack, gateway, mailbox):
    email, _ = active_user(stack)
    here, elsewhere = sign_in(gateway, email), sign_in(gateway, email)
    accepted_everywhere(stack, gateway, elsewhere)
    changed = httpx.post(api(gateway, "/me/password"), headers=bearer(here),
                         json={"current_password": PASSWORD, "password": NEW, "confirmation": NEW})
    assert changed.status_code == 200, changed.text
    renewed = changed.json()["tokens"]
    assert claims_of(renewed["access_token"])["sid"] == claims_of(here["access_token"])["sid"]
    refused_everywhere(stack, gateway, elsewhere)
    refused_everywhere(stack, gateway, here)  # issued before the change: cut too, replaced by `renewed`
    accepted_everywhere(stack, gateway, renewed)
    assert refresh(gateway, elsewhere).status_code == 401
    assert refresh(gateway, here).status_code == 401
    assert refresh(gateway, renewed).status_code == 200
    sessions = httpx.get(api(gateway, "/me/sessions"), headers=bearer(renewed)).json()["items"]
    assert [s["current"] for s in sessions] == [True]


def test_a_password_reset_cuts_every_token_already_issued(stack, gateway, mailbox):
    from tests.e2e.test_identity import reset_password

    email, _ = active_user(stack)
    tokens = sign_in(gateway, email)
    accepted_everywhere(stack, gateway, tokens)
    assert reset_password(gateway, mailbox, email, NEW).status_code == 200
    refused_everywhere(stack, gateway, tokens)
    assert refresh(gateway, tokens).status_code == 401
    accepted_everywhere(stack, gateway, sign_in(gateway, email, NEW))  # a new sign-in at once is not refused


def test_se_deconnecter_de_tous_les_appareils(stack, gateway):
    email, _ = active_user(stack)
    first, second, third = (sign_in(gateway, email) for _ in range(3))
    # ending other devices' sessions asks the current password (ASVS 5.0 7.5.2): none, a wrong one end nothing
    url = api(gateway, "/me/sessions/end-all")
    missing = httpx.post(url, headers=bearer(first), json={"keep_current": True})
    assert missing.status_code == 422 and missing.json()["error"]["details"] == {"current_password": "obligatoire"}
    wrong = httpx.post(url, headers=bearer(first), json={"keep_current": True, "current_password": "pas-le-bon"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "wrong_current_password"
    not_text = httpx.post(url, headers=bearer(first), json={"keep_current": True, "current_password": 12})
    assert not_text.status_code == 422 and "current_password" in not_text.json()["error"]["details"]
    accepted_everywhere(stack, gateway, second)
    # keeping this one: the two others end, this one gets new tokens
    kept = httpx.post(url, headers=bearer(first), json={"keep_current": True, "current_password": PASSWORD})
    assert kept.status_code == 200
    assert kept.json()["ended"] == 2 and kept.json()["message"] == "Vos autres sessions ont été fermées."
    renewed = kept.json()["tokens"]
    refused_everywhere(stack, gateway, second)
    refused_everywhere(stack, gateway, third)
    accepted_everywhere(stack, gateway, renewed)
    # all of them, this one too: the only one left, so no password is asked (it is a logout)
    ended = httpx.post(api(gateway, "/me/sessions/end-all"), headers=bearer(renewed), json={})
    assert ended.status_code == 200
    assert ended.json() == {"message": "Vous avez été déconnecté de tous les appareils.", "ended": 1}
    refused_everywhere(stack, gateway, renewed)
    assert refresh(gateway, renewed).status_code == 401
    accepted_everywhere(stack, gateway, sign_in(gateway, email))
    bad = httpx.post(api(gateway, "/me/sessions/end-all"), headers=bearer(sign_in(gateway, email)),
                     json={"keep_current": "oui"})
    assert bad.status_code == 422 and "keep_current" in bad.json()["error"]["details"]


def test_mon_compte_lists_the_sessions_per_device_and_ends_one(stack, gateway):
    email, _ = active_user(stack)
    laptop = httpx.post(api(gateway, "/login"), json={"email": email, "password": PASSWORD},
                        headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}).json()
    phone = httpx.post(api(gateway, "/login"), json={"email": email, "password": PASSWORD},
                       headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile Safari/604.1"}).json()
    listed = httpx.get(api(gateway, "/me/sessions"), headers=bearer(laptop))
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert {(s["user_agent"], s["current"]) for s in items} == {
        ("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", True), ("Mozilla/5.0 (iPhone) Mobile Safari/604.1", False)}
    assert all(s["client_address"] == "127.0.0.1" and s["created_at"] and s["last_used_at"] for s in items)
    other = next(s["id"] for s in items if not s["current"])
    assert other == claims_of(phone["access_token"])["sid"]

    accepted_everywhere(stack, gateway, phone)
    # another device's session asks the current password (ASVS 5.0 7.5.2), in the DELETE's JSON body
    missing = httpx.delete(api(gateway, f"/me/sessions/{other}"), headers=bearer(laptop))
    assert missing.status_code == 422 and missing.json()["error"]["details"] == {"current_password": "obligatoire"}
    wrong = httpx.request("DELETE", api(gateway, f"/me/sessions/{other}"), headers=bearer(laptop),
                          json={"current_password": "pas-le-bon"})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "wrong_current_password"
    not_text = httpx.request("DELETE", api(gateway, f"/me/sessions/{other}"), headers=bearer(laptop),
                             json={"current_password": ["x"]})
    assert not_text.status_code == 422 and "current_password" in not_text.json()["error"]["details"]
    not_json = httpx.request("DELETE", api(gateway, f"/me/sessions/{other}"), content=b"pas du json",
                             headers={**bearer(laptop), "Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"]["code"] == "invalid_json"
    accepted_everywhere(stack, gateway, phone)
    assert httpx.request("DELETE", api(gateway, f"/me/sessions/{other}"), headers=bearer(laptop),
                         json={"current_password": PASSWORD}).status_code == 204
    refused_everywhere(stack, gateway, phone)
    assert refresh(gateway, phone).status_code == 401
    accepted_everywhere(stack, gateway, laptop)
    assert [s["current"] for s in httpx.get(api(gateway, "/me/sessions"), headers=bearer(laptop)).json()["items"]] \
        == [True]
    # already ended, unknown, malformed, someone else's: the same 404
    stranger = sign_in(gateway, active_user(stack)[0])
    for session_id in (other, "00000000-0000-0000-0000-000000000000", "abc",
                       claims_of(stranger["access_token"])["sid"]):
        gone = httpx.delete(api(gateway, f"/me/sessions/{session_id}"), headers=bearer(laptop))
        assert gone.status_code == 404 and gone.json()["error"]["message"] == "Session introuvable ou déjà fermée."
    accepted_everywhere(stack, gateway, stranger)
    # refreshing keeps the session and moves its « last used »
    before = rows(stack, "SELECT last_used_at FROM auth.sessions WHERE id = %s",
                  claims_of(laptop["access_token"])["sid"])[0]["last_used_at"]
    renewed = refresh(gateway, laptop).json()
    assert claims_of(renewed["access_token"])["sid"] == claims_of(laptop["access_token"])["sid"]
    after = rows(stack, "SELECT last_used_at FROM auth.sessions WHERE id = %s",
                 claims_of(laptop["access_token"])["sid"])[0]["last_used_at"]
    assert after > before


def test_a_stolen_refresh_token_ends_every_access_token_of_its_user(stack, gateway):
    email, _ = active_user(stack)
    tokens, other = sign_in(gateway, email), sign_in(gateway, email)
    assert refresh(gateway, tokens).status_code == 200
    rows(stack, "UPDATE auth.refresh_tokens SET revoked_at = now() - interval '1 hour' WHERE user_id = "
                "(SELECT id FROM auth.users WHERE email = %s) AND revoked_at IS NOT NULL RETURNING 1", email)
    assert refresh(gateway, tokens).status_code == 401  # the spent one again: theft
    refused_everywhere(stack, gateway, other)


def test_the_support_team_ends_every_session_of_a_person(stack, gateway):
    email, user_id = active_user(stack)
    tokens = sign_in(gateway, email)
    support = sign_in(gateway, active_user(stack, role="support")[0])
    ended = httpx.delete(api(gateway, f"/users/{user_id}/sessions"), headers=bearer(support))
    assert ended.status_code == 200 and ended.json()["ended"] == 1
    refused_everywhere(stack, gateway, tokens)
    refused = httpx.delete(api(gateway, f"/users/{user_id}/sessions"), headers=bearer(sign_in(gateway, email)))
    assert refused.status_code == 403
    unknown = httpx.delete(api(gateway, "/users/pas-un-id/sessions"), headers=bearer(support))
    assert unknown.status_code == 404


def test_the_revocations_feed_names_nobody(stack, gateway):
    email, user_id = active_user(stack)
    tokens = sign_in(gateway, email)
    httpx.post(api(gateway, "/logout"), headers=bearer(tokens))
    feed = httpx.get(f"http://127.0.0.1:{stack.service_port('auth')}/token-revocations")
    assert feed.status_code == 200
    body = feed.json()
    assert body["keep_seconds"] == 960 and body["items"]
    assert user_id not in feed.text and claims_of(tokens["access_token"])["sid"] not in feed.text
    later = httpx.get(f"http://127.0.0.1:{stack.service_port('auth')}/token-revocations",
                      params={"since": body["as_of"] + 1})
    assert later.json()["items"] == []
    for since in ("hier", "-1", "nan", "1e300"):
        bad = httpx.get(f"http://127.0.0.1:{stack.service_port('auth')}/token-revocations", params={"since": since})
        assert bad.status_code == 422 and bad.json()["error"]["details"] == {"since": "nombre de secondes attendu"}
    # through the gateway it needs a token
    assert httpx.get(api(gateway, "/token-revocations")).status_code == 401


def test_a_cookie_copied_before_se_deconnecter_no_longer_opens_a_page(stack, gateway):
    """The replay of issue 16: the web session cookie copied before « Se déconnecter » opened /accueil until its
    access token expired. The cookie holds a session id only, whose session « Se déconnecter » deletes: the replay
    goes to « Se connecter » at once."""
    email, _ = active_user(stack)
    browser = httpx.Client(base_url=gateway)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/connexion").text).group(1)
    signed_in = browser.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": csrf})
    assert signed_in.status_code == 303
    assert browser.get("/accueil").status_code == 200
    copied = dict(browser.cookies)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/accueil").text).group(1)
    assert browser.post("/deconnexion", data={"csrf_token": csrf}).status_code == 303

    for page in ("/accueil", "/mon-compte"):
        replay = httpx.get(f"{gateway}{page}", cookies=copied)
        assert replay.status_code == 302
        assert replay.headers["location"] == f"/connexion?suivant={page}"
        assert replay.cookies["ecars_session"] != copied["ecars_session"]  # a new session, for the message
        login = httpx.get(f"{gateway}{replay.headers['location']}", cookies=replay.cookies)
        assert "Votre session a expiré, reconnectez-vous." in login.text


def test_only_an_access_token_is_taken_for_one(stack, gateway, mailbox):
    """ASVS 5.0 9.2.2: auth signs one kind of token only (typ at+jwt); the refresh and reset tokens are opaque
    random strings, refused as bearer tokens."""
    from tests.support.identity import latest_code

    email, _ = active_user(stack)
    tokens = sign_in(gateway, email)
    header = jwt.get_unverified_header(tokens["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "EdDSA"
    httpx.post(api(gateway, "/password-reset/code"), json={"email": email})
    reset = httpx.post(api(gateway, "/password-reset/verify"),
                       json={"email": email, "code": latest_code(mailbox, email)}).json()["reset_token"]
    for other in (tokens["refresh_token"], reset):
        answer = httpx.get(api(gateway, "/me"), headers={"Authorization": f"Bearer {other}"})
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "invalid_token"
