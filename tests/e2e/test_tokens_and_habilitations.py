"""Token checks by the gateway and by the services; « Gestion des habilitations » and the projection
that other services keep of it."""

import base64
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.conftest import unique
from tests.support.contracts import make_contract
from tests.support.cpom import bretagne_cpom
from tests.support.db import rows
from tests.support.identity import active_user, bearer, latest_code, sign_in
from tests.support.tokens import claims_of, real_key

STRONG = "Nouveau-Mot2Passe!"


def forged_tokens(stack, good: str) -> dict[str, str]:
    kid, key = real_key(stack)
    claims = claims_of(good)
    header, payload, signature = good.split(".")
    elevated = base64.urlsafe_b64encode(json.dumps({**claims, "role": "admin"}).encode()).rstrip(b"=").decode()
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"kid": kid}),
        "wrong key": jwt.encode(claims, Ed25519PrivateKey.generate(), algorithm="EdDSA", headers={"kid": kid}),
        "HS256 with the public key": jwt.encode(claims, public, algorithm="HS256", headers={"kid": kid}),
        "expired": jwt.encode({**claims, "exp": int(time.time()) - 60}, key, algorithm="EdDSA", headers={"kid": kid}),
        "payload changed": f"{header}.{elevated}.{signature}",
        "no jti": jwt.encode({k: v for k, v in claims.items() if k != "jti"}, key, algorithm="EdDSA",
                             headers={"kid": kid}),
        "other audience": jwt.encode({**claims, "aud": "autre"}, key, algorithm="EdDSA", headers={"kid": kid}),
        "garbage": "abc.def.ghi",
    }


def test_gateway_and_services_refuse_forged_expired_and_missing_tokens(gateway, stack):
    email, _ = active_user(stack)
    good = sign_in(gateway, email)["access_token"]
    targets = {
        "gateway": f"{gateway}/api/contracts/me/habilitations",
        "contracts directly": f"http://127.0.0.1:{stack.service_port('contracts')}/me/habilitations",
        "auth directly": f"http://127.0.0.1:{stack.service_port('auth')}/me",
    }
    for where, url in targets.items():
        assert httpx.get(url, headers={"Authorization": f"Bearer {good}"}).status_code == 200, where
        missing = httpx.get(url)
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "authentication_required", where
        for forgery, token in forged_tokens(stack, good).items():
            answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, f"{where}: {forgery}"
            assert answer.json()["error"]["code"] == "invalid_token"


def test_health_is_public_and_metrics_are_for_support_only(gateway, stack):
    assert httpx.get(f"{gateway}/api/cpom/health/ready").status_code == 200
    assert httpx.get(f"{gateway}/api/cpom/metrics").status_code == 401
    email, _ = active_user(stack)
    assert httpx.get(f"{gateway}/api/cpom/metrics", headers=bearer(sign_in(gateway, email))).status_code == 403
    support, _ = active_user(stack, role="support")
    metrics = httpx.get(f"{gateway}/api/cpom/metrics", headers=bearer(sign_in(gateway, support)))
    assert metrics.status_code == 200 and "http_requests_total" in metrics.text


def grant(gateway, tokens, scope_id, email, **flags):
    return httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(tokens), json={
        "scope_type": "cpom", "scope_id": scope_id, "civilite": "M.", "nom": "RENAUD", "prenom": "Jerome",
        "fonction": "Directeur", "email": email, **flags})


def wait_for_projection(gateway, tokens, service, expected, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        items = httpx.get(f"{gateway}/api/{service}/me/habilitations", headers=bearer(tokens)).json()["items"]
        if expected(items) or time.monotonic() > deadline:
            return items
        time.sleep(0.1)


def test_an_administrateur_adds_a_collaborator_who_gets_the_email_and_can_sign_in(gateway, stack, mailbox):
    cpom = bretagne_cpom(stack, gateway)
    ars, _ = active_user(stack, role="ars", region="Bretagne")
    ars_tokens = sign_in(gateway, ars)
    admin, _ = active_user(stack)
    added = grant(gateway, ars_tokens, cpom, admin, administrateur=True)
    assert added.status_code == 201 and added.json()["compte_cree"] is False  # existing user: simply granted
    admin_tokens = sign_in(gateway, admin)

    newcomer = f"{unique('collab')}@ccas.test"
    created = grant(gateway, admin_tokens, cpom, newcomer, visibilite_documents_confidentiels=True)
    assert created.status_code == 201, created.text
    assert created.json()["compte_cree"] is True and created.json()["nom_complet"] == "RENAUD Jerome"
    table = httpx.get(f"{gateway}/api/auth/habilitations", params={"scope_type": "cpom", "scope_id": cpom},
                      headers=bearer(admin_tokens)).json()["items"]
    assert {(i["courriel"], i["administrateur"], i["visibilite_documents_confidentiels"]) for i in table} == {
        (admin, True, False), (newcomer, False, True)}

    [welcome] = mailbox.wait_for(newcomer)
    assert welcome["subject"] == "e-CARS – Vos accès à la plateforme"
    assert newcomer in welcome["text"] and "Renouveler le mot de passe" in welcome["text"]
    assert httpx.post(f"{gateway}/api/auth/password-reset/code", json={"email": newcomer}).status_code == 202
    token = httpx.post(f"{gateway}/api/auth/password-reset/verify",
                       json={"email": newcomer, "code": latest_code(mailbox, newcomer)}).json()["reset_token"]
    assert httpx.post(f"{gateway}/api/auth/password-reset/complete",
                      json={"reset_token": token, "password": STRONG, "confirmation": STRONG}).status_code == 200
    newcomer_tokens = sign_in(gateway, newcomer, STRONG)

    # the other services learn of the grant through the event, and keep it in their own projection
    for service in ("contracts", "cpom", "documents"):
        items = wait_for_projection(gateway, newcomer_tokens, service, lambda items: len(items) == 1)
        assert [(i["scope_type"], i["scope_id"], i["visibilite_documents_confidentiels"]) for i in items] == [
            ("cpom", cpom, True)], service

    # a change and a revocation reach them too
    habilitation_id = created.json()["id"]
    changed = httpx.patch(f"{gateway}/api/auth/habilitations/{habilitation_id}", headers=bearer(admin_tokens),
                          json={"visibilite_documents_confidentiels": False})
    assert changed.status_code == 200
    items = wait_for_projection(gateway, newcomer_tokens, "documents",
                                lambda items: items and not items[0]["visibilite_documents_confidentiels"])
    assert items[0]["visibilite_documents_confidentiels"] is False
    assert httpx.delete(f"{gateway}/api/auth/habilitations/{habilitation_id}",
                        headers=bearer(admin_tokens)).status_code == 204
    # their last habilitation: their sessions end too (docs/security.md, 7.4.2); signed in again, they hold none
    newcomer_tokens = sign_in(gateway, newcomer, STRONG)
    assert wait_for_projection(gateway, newcomer_tokens, "cpom", lambda items: items == []) == []


def test_a_non_administrateur_cannot_manage_access(gateway, stack):
    cpom = bretagne_cpom(stack, gateway)
    ars_tokens = sign_in(gateway, active_user(stack, role="ars", region="Bretagne")[0])
    member, _ = active_user(stack)
    assert grant(gateway, ars_tokens, cpom, member).status_code == 201  # member, not administrateur
    member_tokens = sign_in(gateway, member)
    listing = httpx.get(f"{gateway}/api/auth/habilitations", params={"scope_type": "cpom", "scope_id": cpom},
                        headers=bearer(member_tokens))
    assert listing.status_code == 403 and "Administrateur" in listing.json()["error"]["message"]
    before = rows(stack, "SELECT count(*) AS n FROM auth.habilitations")[0]["n"]
    assert grant(gateway, member_tokens, cpom, f"{unique('x')}@x.fr").status_code == 403
    assert rows(stack, "SELECT count(*) AS n FROM auth.habilitations")[0]["n"] == before
    [item] = [i for i in httpx.get(f"{gateway}/api/auth/habilitations", params={"scope_type": "cpom",
                                   "scope_id": cpom}, headers=bearer(ars_tokens)).json()["items"]]
    assert httpx.delete(f"{gateway}/api/auth/habilitations/{item['id']}",
                        headers=bearer(member_tokens)).status_code == 403
    assert httpx.get(f"{gateway}/api/auth/habilitations", params={"scope_type": "cpom", "scope_id": cpom}
                     ).status_code == 401


@pytest.mark.parametrize("change, field", [
    ({"civilite": "Docteur"}, "civilite"),
    ({"email": "pas-une-adresse"}, "email"),
    ({"nom": ""}, "nom"),
    ({"prenom": "x" * 101}, "prenom"),
    ({"administrateur": "oui"}, "administrateur"),
    ({"scope_type": "region"}, "scope_type"),
    ({"fonction": None}, "fonction"),
])
def test_bad_habilitation_input_is_refused_and_nothing_stored(gateway, stack, change, field):
    ars_tokens = sign_in(gateway, active_user(stack, role="ars", region="Bretagne")[0])
    body = {"scope_type": "cpom", "scope_id": unique("cpom"), "civilite": "Mme", "nom": "N", "prenom": "P",
            "fonction": "F", "email": f"{unique('ok')}@x.fr", **change}
    answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(ars_tokens), json=body)
    assert answer.status_code == 422
    assert field in answer.json()["error"]["details"]
    stored = rows(stack, "SELECT count(*) AS n FROM auth.habilitations WHERE scope_id = %s", body["scope_id"])
    assert stored[0]["n"] == 0


def test_an_ars_or_cd_manages_the_accesses_of_its_own_territory_only(gateway, stack):
    """Auth holds no territories: it asks cpom and contracts, with the caller's token, whether they show the
    scope. A CPOM and a contract of Bretagne (22): the ARS Bretagne and the CD 22 may, the others get 403."""
    cpom = bretagne_cpom(stack, gateway)
    contract = make_contract(gateway, stack)
    callers = {who: sign_in(gateway, active_user(stack, **columns)[0]) for who, columns in {
        "ARS Bretagne": {"role": "ars", "region": "Bretagne"}, "CD 22": {"role": "cd", "departement": "22"},
        "ARS Occitanie": {"role": "ars", "region": "Occitanie"}, "CD 29": {"role": "cd", "departement": "29"}}.items()}
    for scope_type, scope_id, allowed in (("cpom", cpom, {"ARS Bretagne", "CD 22"}),
                                          ("contract", contract.contract_id, {"ARS Bretagne"})):
        for who, tokens in callers.items():
            before = rows(stack, "SELECT count(*) AS n FROM auth.habilitations WHERE scope_id = %s", scope_id)[0]["n"]
            answer = httpx.post(f"{gateway}/api/auth/habilitations", headers=bearer(tokens), json={
                "scope_type": scope_type, "scope_id": scope_id, "civilite": "Mme", "nom": "N", "prenom": "P",
                "fonction": "F", "email": f"{unique('terr')}@x.fr"})
            listing = httpx.get(f"{gateway}/api/auth/habilitations", headers=bearer(tokens),
                                params={"scope_type": scope_type, "scope_id": scope_id})
            after = rows(stack, "SELECT count(*) AS n FROM auth.habilitations WHERE scope_id = %s", scope_id)[0]["n"]
            if who in allowed:
                assert (answer.status_code, listing.status_code, after) == (201, 200, before + 1), (scope_type, who)
            else:
                refused = (answer.status_code, answer.json()["error"]["code"], listing.status_code, after)
                assert refused == (403, "hors_territoire", 403, before), (scope_type, who)
