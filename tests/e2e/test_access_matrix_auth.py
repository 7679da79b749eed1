"""Access matrix of the auth service: every route, and the bad tokens. Sign-in, password reset, token
refresh, the JWKS and the password policy are public (each row is an anonymous call that is not asked for a
token); « Mon compte » acts on the caller's own account; « Gestion des habilitations » is for ARS, CD and
the scope's Administrateur (403 « not_administrateur » otherwise)."""


from tests.conftest import unique
from tests.support.access import (
    BLIND,
    SEES,
    Route,
    Variant,
    matrix_tests,
    service_routes,
)
from tests.support.identity import PASSWORD, bearer
from tests.support.tokens import claims_of

SERVICE = "auth"
NOBODY = f"{unique('personne')}@e-cars.test"
NEW_PASSWORD = "Matrice-Acces-2026!x"
# An ARS or a CD manages the accesses of its territory only: auth asks cpom / contracts, with the caller's
# token, whether they show the scope to the caller (services/auth/territory.py).
MANAGERS = {"ej_member": 200, "ars": 200, "cd": 200, "ej_collaborator": (403, "not_administrateur"),
            "other_ej": 403, "support": 403, "ars_other_region": (403, "hors_territoire"),
            "cd_other_dept": (403, "hors_territoire")}


def own_session(w, **kwargs) -> dict:
    """A row acting with a fresh user's own session (ending it, or changing its password, must not end the
    shared « self » caller's)."""
    return {"headers": bearer(w.fresh_session()), **kwargs}


def fresh_session_path(w) -> str:
    w.fresh_session()
    return f"/me/sessions/{claims_of(w.fresh['access_token'])['sid']}"


def new_habilitation(w):
    return {"json": {"scope_type": "ej", "scope_id": w.ids["finess"], "civilite": "M.", "nom": "NOUVEAU",
                     "prenom": "Paul", "fonction": "Cadre", "email": f"{unique('nouveau')}@ej.test"}}


ROUTES = service_routes(SERVICE) + [
    Route("GET", "/.well-known/jwks.json", "/.well-known/jwks.json", {"anonymous": 200}, public=True),
    Route("GET", "/password-policy", "/password-policy", {"anonymous": 200}, public=True),
    Route("POST", "/login", "/login", {"anonymous": (401, "invalid_credentials")}, public=True,
          send=lambda w: {"json": {"email": NOBODY, "password": "Pas-Le-Bon-1!"}}),
    Route("POST", "/password-reset/code", "/password-reset/code", {"anonymous": 202}, public=True,
          send=lambda w: {"json": {"email": NOBODY}}),
    Route("POST", "/password-reset/verify", "/password-reset/verify", {"anonymous": (400, 401, 403, 422)},
          public=True, send=lambda w: {"json": {"email": NOBODY, "code": "000000"}}),
    Route("POST", "/password-reset/complete", "/password-reset/complete", {"anonymous": (400, 401, 403, 422)},
          public=True, send=lambda w: {"json": {"reset_token": "faux", "password": NEW_PASSWORD,
                                               "confirmation": NEW_PASSWORD}}),
    Route("POST", "/token/refresh", "/token/refresh", {"anonymous": (401, "invalid_refresh_token")}, public=True,
          send=lambda w: {"json": {"refresh_token": "faux"}}),
    Route("POST", "/logout", "/logout", {"self": 204}, send=own_session),
    Route("GET", "/me", "/me", {"ej_member": 200, "ars": 200, "support": 200}),
    Route("PATCH", "/me", "/me", {"self": 200}, send=lambda w: {"json": {"fonction": "Directrice adjointe"}}),
    Route("POST", "/me/password", "/me/password", {"self": 200}, send=lambda w: own_session(w, json={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirmation": NEW_PASSWORD})),
    Route("GET", "/me/sessions", "/me/sessions", {"self": 200, "ej_member": 200, "support": 200}),
    # the fresh user's session: ended by its owner, an unknown id to anybody else
    Route("DELETE", "/me/sessions/<session_id>", fresh_session_path, {"self": 204},
          send=lambda w: {"headers": bearer(w.fresh)},
          variants=[Variant("someone else's session", fresh_session_path,
                            {"ej_member": (404, "not_found"), "support": (404, "not_found")})]),
    Route("POST", "/me/sessions/end-all", "/me/sessions/end-all", {"self": 200},
          send=lambda w: own_session(w, json={"keep_current": False})),
    Route("DELETE", "/users/<user_id>/sessions", lambda w: f"/users/{w.fresh_session()['user_id']}/sessions",
          {"support": 200, "ej_member": (403, "forbidden"), "ars": (403, "forbidden")}),
    # « Comptes et sessions »: the support team only (each row acts on a fresh user)
    Route("GET", "/users", f"/users?email={NOBODY}",
          {"support": 200, "ej_member": (403, "forbidden"), "ars": (403, "forbidden"), "cd": (403, "forbidden")}),
    Route("POST", "/users/<user_id>/disable", lambda w: f"/users/{w.fresh_session()['user_id']}/disable",
          {"support": 200, "ej_member": (403, "forbidden"), "ars": (403, "forbidden")}),
    Route("POST", "/users/<user_id>/enable", lambda w: f"/users/{w.fresh_session()['user_id']}/enable",
          {"support": 200, "ej_member": (403, "forbidden"), "ars": (403, "forbidden")}),
    # read by every token verifier on the internal network; through the gateway, a token is needed
    Route("GET", "/token-revocations", "/token-revocations", {"ej_member": 200, "support": 200},
          service_open=True),
    # for the other services' reconciliation, with the service key: no person may read it, whatever their token
    Route("GET", "/habilitations/snapshot", "/habilitations/snapshot",
          {"ej_member": (403, "forbidden"), "ars": (403, "forbidden"), "support": (403, "forbidden")},
          service_open=True),
    Route("GET", "/me/habilitations", "/me/habilitations", {"ej_member": SEES, "other_ej": BLIND},
          listed="finess"),
    Route("GET", "/habilitations", lambda w: f"/habilitations?scope_type=ej&scope_id={w.ids['finess']}", MANAGERS),
    Route("POST", "/habilitations", "/habilitations", {k: 201 if v == 200 else v for k, v in MANAGERS.items()},
          send=new_habilitation),
    Route("PATCH", "/habilitations/<habilitation_id>", "/habilitations/{habilitation}", MANAGERS,
          send=lambda w: {"json": {"visibilite_documents_confidentiels": False}}),
    # each row revokes a habilitation made for it
    Route("DELETE", "/habilitations/<habilitation_id>", lambda w: f"/habilitations/{w.fresh_habilitation()}",
          {k: 204 if v == 200 else v for k, v in MANAGERS.items()}),
]


w, test_every_route_of_the_service_has_access_rows, test_access, test_bad_token_is_refused = matrix_tests(
    {SERVICE: ROUTES})
