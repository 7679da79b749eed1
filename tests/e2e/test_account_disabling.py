"""The support team's « Comptes et sessions » through the API (ASVS 5.0 7.4.2, 7.4.5; services/auth/disabling.py):
a person found by their email, « Désactiver le compte » ends every session at once and refuses the sign-in,
« Réactiver le compte » gives it back; who may disable whom; each change audited."""

import httpx

from tests.e2e.test_sessions_and_revocation import refused_everywhere
from tests.e2e.test_web_sessions import until_sent_back_to_login, web_sign_in
from tests.support.db import rows
from tests.support.identity import PASSWORD, active_user, bearer, sign_in


def api(gateway: str, path: str) -> str:
    return f"{gateway}/api/auth{path}"


def test_a_disabled_account_loses_its_sessions_and_signs_in_no_more_until_reactivated(stack, gateway):
    support_email, support_id = active_user(stack, role="support")
    support = bearer(sign_in(gateway, support_email))
    email, user_id = active_user(stack)
    browser, tokens = web_sign_in(gateway, email), sign_in(gateway, email)

    [found] = httpx.get(api(gateway, "/users"), params={"email": email.upper()}, headers=support).json()["items"]
    assert (found["id"], found["actif"], found["sessions_ouvertes"]) == (user_id, True, 2)
    disabled = httpx.post(api(gateway, f"/users/{user_id}/disable"), headers=support)
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["ended"] == 2
    assert disabled.json()["user"]["actif"] is False and disabled.json()["user"]["sessions_ouvertes"] == 0
    refused_everywhere(stack, gateway, tokens)
    until_sent_back_to_login(browser)
    assert httpx.post(api(gateway, "/token/refresh"), json={"refresh_token": tokens["refresh_token"]}
                      ).status_code == 401

    # the right password is told the account is disabled; a wrong one is answered as any wrong one
    refused = httpx.post(api(gateway, "/login"), json={"email": email, "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["error"] == {"code": "account_disabled", "details": {},
                                       "message": "Votre compte est désactivé : contactez l'équipe support e-CARS."}
    wrong = httpx.post(api(gateway, "/login"), json={"email": email, "password": "Pas-Le-Bon-2026!"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    again = httpx.post(api(gateway, f"/users/{user_id}/disable"), headers=support)
    assert again.status_code == 200 and again.json()["ended"] == 0

    enabled = httpx.post(api(gateway, f"/users/{user_id}/enable"), headers=support)
    assert enabled.status_code == 200 and enabled.json()["user"]["actif"] is True
    assert sign_in(gateway, email)["access_token"]
    audited = rows(stack, "SELECT action, details FROM auth.audit_log WHERE user_id = %s AND action IN "
                          "('account.disabled', 'account.enabled', 'sessions.ended_all', 'login.refused_disabled') "
                          "ORDER BY id", user_id)
    assert [(row["action"], row["details"].get("by"), row["details"].get("reason")) for row in audited] == [
        ("account.disabled", support_id, None), ("sessions.ended_all", None, "account_disabled"),
        ("login.refused_disabled", None, None), ("account.enabled", support_id, None)]


def test_who_may_find_disable_and_reactivate_an_account_and_bad_input(stack, gateway):
    support_email, support_id = active_user(stack, role="support")
    support = bearer(sign_in(gateway, support_email))
    admin_email, admin_id = active_user(stack, role="admin")
    member_email, member_id = active_user(stack)
    member = bearer(sign_in(gateway, member_email))

    for params in ({}, {"email": "pas-une-adresse"}, {"email": "x" * 300 + "@e-cars.test"}):
        bad = httpx.get(api(gateway, "/users"), params=params, headers=support)
        assert bad.status_code == 422, params
        assert bad.json()["error"]["details"] == {"email": "adresse email invalide"}
    nobody = httpx.get(api(gateway, "/users"), params={"email": "personne@e-cars.test"}, headers=support)
    assert nobody.status_code == 200 and nobody.json()["items"] == []
    for path in ("/users/pas-un-id/disable", "/users/00000000-0000-4000-8000-000000000000/enable"):
        unknown = httpx.post(api(gateway, path), headers=support)
        assert unknown.status_code == 404 and unknown.json()["error"]["message"] == "Utilisateur introuvable."

    for path in (f"/users?email={admin_email}", f"/users/{admin_id}/disable"):
        method = "GET" if path.startswith("/users?") else "POST"
        answer = httpx.request(method, api(gateway, path), headers=member)
        assert answer.status_code == 403 and answer.json()["error"]["message"] == "Réservé à l'équipe support."
    own = httpx.post(api(gateway, f"/users/{support_id}/disable"), headers=support)
    assert own.status_code == 403
    assert own.json()["error"]["message"] == "Vous ne pouvez pas désactiver votre propre compte."
    of_admin = httpx.post(api(gateway, f"/users/{admin_id}/disable"), headers=support)
    assert of_admin.status_code == 403
    assert of_admin.json()["error"]["message"] == ("Seul un administrateur peut désactiver le compte d'un "
                                                   "administrateur.")
    assert rows(stack, "SELECT count(*) AS n FROM auth.users WHERE id IN (%s, %s) AND disabled_at IS NOT NULL",
                support_id, admin_id)[0]["n"] == 0
    # an admin may disable the support team's accounts
    admin = bearer(sign_in(gateway, admin_email))
    assert httpx.post(api(gateway, f"/users/{support_id}/disable"), headers=admin).status_code == 200
    [by] = rows(stack, "SELECT disabled_by::text AS admin FROM auth.users WHERE id = %s", support_id)
    assert by["admin"] == admin_id
    assert rows(stack, "SELECT disabled_at FROM auth.users WHERE id = %s", member_id)[0]["disabled_at"] is None
