"""The resources and callers of the access matrix (tests/e2e/test_access_matrix*.py), built once per test
session through the API, and the matrix's row types.

One EJ (Bretagne, département 22) has an open self-evaluation contract with a grey indicator (ACC02, for
the ARS only) and a grey hidden one (PIL01), a closed contract (CONSULTATION), a CPOM of competence
« Conjointe » with its grid, folders, documents and a first transmission, and a scratch CPOM for grid
writes. The callers, each by its relation to them: see CALLERS."""

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import unique
from tests.support import cpom as cpom_support
from tests.support import samples
from tests.support.contracts import GOOD_ANSWERS, TEMPLATE
from tests.support.identity import active_user, bearer, sign_in
from tests.support.services import url_rules
from tests.support.tokens import bad_tokens

CALLERS = {
    "ej_member": "établissement user of the EJ (habilitation Administrateur, confidential visibility)",
    "ej_collaborator": "établissement user of the EJ, neither Administrateur nor confidential visibility",
    "other_ej": "établissement user of another EJ",
    "ars": "ARS of the region (Bretagne)",
    "ars_other_region": "ARS of another region (Occitanie)",
    "cd": "CD of the département (22)",
    "cd_other_dept": "CD of another département (29)",
    "support": "the support team",
    "self": "any signed-in user acting on their own account",
}

# An expectation: a status; (status, error code); or SEES / BLIND: 200 and the resource's id is / is not
# in the body (lists filtered by the caller's rights).
SEES, BLIND = "200, listed", "200, not listed"
Expect = int | tuple[int, str] | tuple[int, ...] | str


@dataclass
class Variant:
    """The same route on another resource (grey indicator, closed contract, confidential folder…)."""
    name: str
    path: str | Callable
    rows: dict[str, Expect]
    send: Callable | None = None
    listed: str = ""  # as Route.listed, when it differs


@dataclass
class Route:
    method: str
    rule: str  # as in the service's url_map
    path: str | Callable | None = None  # "/contracts/{contract}" filled from World.ids, or fn(world)
    rows: dict[str, Expect] = field(default_factory=dict)
    send: Callable | None = None  # fn(world) -> httpx keyword arguments (json=…, content=…, headers=…)
    variants: list[Variant] = field(default_factory=list)
    public: bool = False  # no token needed (rows are then anonymous calls)
    # the service itself answers without a token: /metrics (scraped on the internal network) and the
    # append-only 405s of documents; the gateway still wants one
    service_open: bool = False
    listed: str = ""  # for SEES / BLIND rows: the World.ids key whose value the list shows or not
    xfail: dict[str, str] = field(default_factory=dict)  # caller -> known gap, kept visible

    def key(self) -> tuple[str, str]:
        return self.method, self.rule


class World:
    def __init__(self, stack, gateway):
        self.stack, self.gateway = stack, gateway
        self.ids: dict[str, str] = {}
        self.tokens: dict[str, dict] = {}
        self.user_ids: dict[str, str] = {}
        self.client = httpx.Client(timeout=30)  # kept-alive connections: the matrix makes ~2,500 requests

    # -- calls ------------------------------------------------------------------------------------

    def headers(self, caller: str | None) -> dict:
        return bearer(self.tokens[caller]) if caller else {}

    def url(self, service: str, path: str, direct: bool = False) -> str:
        if direct:
            return f"http://127.0.0.1:{self.stack.service_port(service)}{path}"
        return f"{self.gateway}/api/{service}{path}"

    def fill(self, path) -> str:
        return path(self) if callable(path) else path.format(**self.ids)

    def call(self, service: str, method: str, path: str, caller: str | None = None, direct: bool = False,
             headers: dict | None = None, **kwargs) -> httpx.Response:
        self.client.cookies.clear()  # each call stands alone
        # a row's own Authorization (Route.send, e.g. a fresh session's) wins over its caller's
        return self.client.request(method, self.url(service, path, direct),
                                   headers={**self.headers(caller), **(headers or {})}, **kwargs)

    def as_ars(self, service: str, method: str, path: str, **kwargs) -> httpx.Response:
        answer = self.call(service, method, path, "ars", **kwargs)
        assert answer.status_code < 300, answer.text
        return answer

    # -- building ---------------------------------------------------------------------------------

    def user(self, name: str, role: str, **extra) -> str:
        email, user_id = active_user(self.stack, role=role, **extra)
        self.tokens[name], self.user_ids[name] = sign_in(self.gateway, email), user_id
        return email

    def fresh_session(self) -> dict:
        """The tokens of a new signed-in établissement user, for rows that end their own session or change their
        password (the « self » caller's token must outlive them)."""
        email, user_id = active_user(self.stack)
        self.fresh = {**sign_in(self.gateway, email), "user_id": user_id}
        return self.fresh

    def grant(self, scope_type: str, scope_id: str, email: str, **flags) -> str:
        answer = self.as_ars("auth", "POST", "/habilitations", json={
            "scope_type": scope_type, "scope_id": scope_id, "civilite": "Mme", "nom": "MATRICE", "prenom": "Eve",
            "fonction": "Directrice", "email": email, **flags})
        return answer.json()["id"]

    def wait_for_projections(self, caller: str, count: int) -> None:
        for service in ("contracts", "cpom", "documents"):
            deadline = time.monotonic() + 15
            while len(self.call(service, "GET", "/me/habilitations", caller).json()["items"]) < count:
                assert time.monotonic() < deadline, f"{service} never learnt {caller}'s habilitation"
                time.sleep(0.1)

    def upload(self, caller: str, service_path: str, name: str = "piece.pdf") -> httpx.Response:
        return self.call("documents", "POST", service_path, caller, content=samples.pdf(),
                         headers={"Content-Type": "application/octet-stream", "X-File-Name": quote(name, safe="")})

    def build(self) -> "World":
        emails = {name: self.user(name, role, **extra) for name, role, extra in (
            ("ars", "ars", {"region": "Bretagne"}), ("ars_other_region", "ars", {"region": "Occitanie"}),
            ("cd", "cd", {"departement": "22"}), ("cd_other_dept", "cd", {"departement": "29"}),
            ("support", "support", {}), ("ej_member", "etablissement", {}),
            ("ej_collaborator", "etablissement", {}), ("other_ej", "etablissement", {}),
            ("self", "etablissement", {}))}
        ars = cpom_support.User(emails["ars"], self.user_ids["ars"], self.tokens["ars"])
        org, other_org = cpom_support.organisation(self.gateway, ars), cpom_support.organisation(self.gateway, ars)
        finess = org["finess"]
        self.ids.update(finess=finess, region="Bretagne")

        # access: the EJ's Administrateur (sees confidential documents), a plain collaborator, another EJ's user
        self.grant("ej", finess, emails["ej_member"], administrateur=True, visibilite_documents_confidentiels=True)
        self.grant("ej", finess, emails["ej_collaborator"])
        self.grant("ej", other_org["finess"], emails["other_ej"])
        self.ids["habilitation"] = self.grant("ej", finess, f"{unique('cible')}@ej.test")
        self.build_contracts(finess)
        self.build_cpoms(org)
        for caller in ("ej_member", "ej_collaborator", "other_ej"):
            self.wait_for_projections(caller, 1)
        self.close_contract()
        for name in ("cpom", "cpom35"):
            self.fill_and_transmit(org, name)
        self.build_documents()
        self.build_messages()
        return self

    def build_contracts(self, finess: str) -> None:
        campaign = self.as_ars("contracts", "POST", "/campaigns", json={
            "name": unique("Campagne matrice"), "evaluated_year": 2023, "starts_on": "2024-01-15",
            "ends_on": "2024-06-30", "region": "Bretagne", "template": TEMPLATE}).json()["id"]
        self.ids["campaign"] = campaign
        for name in ("contract", "closed"):
            self.ids[name] = self.as_ars("contracts", "POST", f"/campaigns/{campaign}/contracts", json={
                "name": f"Auto-évaluation 2023 {name}", "ej_finess": finess, "ej_raison_sociale": f"EJ {finess}",
                "ej_adresse": "1 rue de la Paix 22000 SAINT-BRIEUC"}).json()["id"]
        for code, hidden in (("ACC02", False), ("PIL01", True)):  # grey; grey and hidden
            self.as_ars("contracts", "PUT", f"/contracts/{self.ids['contract']}/restrictions/{code}",
                        json={"roles": ["ars"], "user_ids": [], "hidden": hidden})

    def close_contract(self) -> None:
        closed = self.ids["closed"]
        for code, answers in GOOD_ANSWERS.items():
            saved = self.call("contracts", "PUT", f"/contracts/{closed}/indicators/{code}", "ej_member",
                              json={"version": self.version(closed, code), "answers": answers, "comment": ""})
            assert saved.status_code == 200, saved.text
        answer = self.call("contracts", "POST", f"/contracts/{closed}/close", "ej_member")
        assert answer.status_code == 200, answer.text

    def version(self, contract_id: str, code: str = "ACC01") -> int:
        return self.call("contracts", "GET", f"/contracts/{contract_id}/indicators/{code}", "ars").json()["version"]

    def new_cpom(self, org: dict, departements=("22",), **extra) -> str:
        ars = cpom_support.User("", self.user_ids["ars"], self.tokens["ars"])
        cpom_id = cpom_support.create_cpom(self.gateway, ars, org, competence="Conjointe", departements=departements,
                                           **extra)["id"]
        assert cpom_support.put_grid(self.gateway, ars, cpom_id, cpom_support.grid_document(org["ets"])
                                     ).status_code == 200
        return cpom_id

    def build_cpoms(self, org: dict) -> None:
        self.ids["org_ets"] = org["ets"]
        team = {"referent": {"nom_complet": "Référente ARS", "courriel": "referente@ars.test"},
                "co_referent": {"nom_complet": "Co Référent", "courriel": "co@ars.test"},
                "autorites": [{"nom_complet": "Agent CD 22", "courriel": "cd22@cd.test"}],
                "etablissement": [{"nom_complet": "RENAUD Jerome", "courriel": "jerome@ej.test"}]}
        self.team = team
        self.ids["cpom"] = self.new_cpom(org, equipe=team, planning={"date_effet": "2022-01-01"})
        self.ids["scratch"] = self.new_cpom(org)
        # same EJ, but concerning another département only: its CD 22 must not see it
        self.ids["cpom35"] = self.new_cpom(org, departements=("35",), equipe=team,
                                           planning={"date_effet": "2022-01-01"})
        self.org = org
        for name in ("cpom", "scratch", "cpom35"):
            grid = self.call("cpom", "GET", f"/cpoms/{self.ids[name]}/grille", "ars").json()
            for code, item in cpom_support.by_code(grid).items():
                self.ids[f"{name}_{code.replace(' ', '_')}"] = item["id"]
            self.ids[f"{name}_A1"] = grid["axes"][0]["id"]

    def fill_and_transmit(self, org: dict, name: str) -> None:
        cpom_id, ets = self.ids[name], org["ets"]

        def put(path, body):
            answer = self.call("cpom", "PUT", f"/cpoms/{cpom_id}{path}", "ej_member", json=body)
            assert answer.status_code == 200, answer.text

        for code in ("O1", "O2", "O3"):
            put(f"/objectifs/{self.ids[f'{name}_{code}']}/saisie", {"actions": [f"Action pour {code}"]})
        put(f"/objectifs/{self.ids[f'{name}_O2']}/saisie", {"element_selectionne_og": "Prioritaire"})
        put(f"/indicateurs/{self.ids[f'{name}_PILOT_072']}/valeurs",
            {"valeurs": [{"etablissement": et, "numerateur": 8, "denominateur": 100} for et in ets]})
        put(f"/indicateurs/{self.ids[f'{name}_ACC_1']}/valeurs",
            {"valeurs": [{"etablissement": et, "valeur": 40} for et in ets]})
        put(f"/indicateurs/{self.ids[f'{name}_COOP_1']}/valeurs", {"valeurs": [{"valeur": "CH de Dinan"}]})
        put(f"/indicateurs/{self.ids[f'{name}_SOIN_1']}/valeurs",
            {"valeurs": [{"etablissement": ets[0], "valeur": True}]})
        answer = self.call("cpom", "POST", f"/cpoms/{cpom_id}/transmissions", "ej_member")
        assert answer.status_code == 201, answer.text

    def build_documents(self) -> None:
        cpom_id = self.ids["cpom"]
        tree = self.call("documents", "GET", f"/cpoms/{cpom_id}/folders", "ars").json()["items"]
        by_code = {item["code"]: item["id"] for item in tree}
        self.ids.update(folder=by_code["contractuels"], confidential=by_code["confidentiels"])
        for name, path in (("doc_folder", f"/cpoms/{cpom_id}/folders/{self.ids['folder']}/documents"),
                           ("doc_confidential", f"/cpoms/{cpom_id}/folders/{self.ids['confidential']}/documents"),
                           ("doc_reference", "/references/Bretagne")):
            answer = self.upload("ars", path)
            assert answer.status_code == 201, answer.text
            self.ids[name] = answer.json()["id"]
        answer = self.upload("ej_member", f"/indicators/{self.ids['contract']}/ACC01/documents")
        assert answer.status_code == 201, answer.text
        self.ids["doc_indicator"] = answer.json()["id"]

    def build_messages(self) -> None:
        """A message of the EJ's and a private note of the ARS in the contract's and the CPOM's « Messages », and an
        attachment on each of the contract's."""
        for scope, service, path in (("contract", "contracts", f"/contracts/{self.ids['contract']}"),
                                     ("cpom", "cpom", f"/cpoms/{self.ids['cpom']}")):
            for name, caller, private in (("msg", "ej_member", False), ("note", "ars", True)):
                answer = self.call(service, "POST", f"{path}/messages", caller,
                                   json={"text": f"Message {name} de la matrice", "private": private})
                assert answer.status_code == 201, answer.text
                self.ids[f"{name}_{scope}"] = answer.json()["id"]
        for name, caller in (("doc_message", "ej_member"), ("doc_note", "ars")):
            message = self.ids["msg_contract" if name == "doc_message" else "note_contract"]
            answer = self.upload(caller, f"/messages/contracts/{self.ids['contract']}/{message}/documents")
            assert answer.status_code == 201, answer.text
            self.ids[name] = answer.json()["id"]

    # -- fresh resources for rows that destroy what they reach ---------------------------------------

    def fresh_axe(self) -> str:
        return self.as_ars("cpom", "POST", f"/cpoms/{self.ids['scratch']}/axes",
                           json={"code": code(), "libelle": "Axe à supprimer"}).json()["id"]

    def fresh_habilitation(self) -> str:
        return self.grant("ej", self.ids["finess"], f"{unique('revoque')}@ej.test")


def code() -> str:
    """A fresh grid code (letters, digits)."""
    return "M" + uuid.uuid4().hex[:8].upper()


_WORLDS: dict[int, World] = {}


def world(stack, gateway) -> World:
    """The one World of this test session (the matrix is split in several modules)."""
    if id(stack) not in _WORLDS:
        _WORLDS[id(stack)] = World(stack, gateway).build()
    return _WORLDS[id(stack)]


def check(answer: httpx.Response, expected: Expect, resource: str | None = None) -> None:
    """The answer is what the row expects; refusals are JSON errors."""
    shown = f"{answer.request.method} {answer.request.url.path} → {answer.status_code} {answer.text[:300]}"
    if expected in (SEES, BLIND):
        assert answer.status_code == 200, shown
        listed = bool(resource) and re.search(re.escape(resource), answer.text) is not None
        assert listed == (expected == SEES), f"{resource} {'missing from' if expected == SEES else 'in'}: {shown}"
        return
    if isinstance(expected, tuple) and isinstance(expected[1], str):
        status, error_code = expected
    else:
        status, error_code = expected, None
    allowed = status if isinstance(status, tuple) else (status,)
    assert answer.status_code in allowed, shown
    if answer.status_code >= 400:
        assert answer.headers["content-type"].startswith("application/json"), shown
        error = answer.json()["error"]
        assert error["code"] and error["message"], shown
        if error_code:
            assert error["code"] == error_code, shown


# -- the matrix as pytest cases ---------------------------------------------------------------------

SUPPORT_ONLY = {"support": 200, "ej_member": 403, "ars": 403, "cd": 403}


def service_routes(service: str) -> list[Route]:
    """The routes every service has (ecars_common): health, OpenAPI, metrics, the support dashboard."""
    routes = [
        Route("GET", "/health/live", "/health/live", {"anonymous": 200}, public=True),
        Route("GET", "/health/ready", "/health/ready", {"anonymous": 200}, public=True),
        Route("GET", "/openapi.json", "/openapi.json", {"anonymous": 200}, public=True),
        Route("GET", "/metrics", "/metrics", {"support": 200, "ej_member": 403, "ars": 403}, service_open=True),
        Route("GET", "/dashboard", "/dashboard", SUPPORT_ONLY),
        Route("GET", "/dashboard/dead-letters", "/dashboard/dead-letters", SUPPORT_ONLY),
        Route("POST", "/dashboard/dead-letters/replay", "/dashboard/dead-letters/replay", SUPPORT_ONLY),
    ]
    if service in ("contracts", "cpom", "documents"):  # their projection of auth's habilitations
        routes.append(Route("GET", "/me/habilitations", "/me/habilitations", {
            "ej_member": SEES, "ej_collaborator": SEES, "other_ej": BLIND, "ars": BLIND, "support": BLIND},
            listed="finess"))
    return routes


def assert_complete(service: str, routes: list[Route]) -> None:
    """Every route of the service has rows in the matrix, and the matrix names no route that is gone."""
    listed = [route.key() for route in routes]
    assert len(listed) == len(set(listed)), "a route is listed twice"
    missing = url_rules(service) - set(listed)
    assert not missing, f"routes without access rows: {sorted(missing)}"
    assert set(listed) <= url_rules(service), f"rows for routes that do not exist: {set(listed) - url_rules(service)}"
    for route in routes:
        assert route.rows or route.variants, f"{route.key()} has no rows"
        for variant in route.variants:
            assert set(variant.rows) <= {*CALLERS, "anonymous"}, f"{route.key()}: unknown caller"
        assert set(route.rows) <= {*CALLERS, "anonymous"}, f"{route.key()}: unknown caller"


def row_cases(routes: list[Route]) -> list:
    import pytest

    cases = []
    for route in routes:
        for variant in [Variant("", route.path, route.rows, route.send, route.listed), *route.variants]:
            for caller, expected in variant.rows.items():
                marks = ([pytest.mark.xfail(strict=True, reason=route.xfail[caller])]
                         if caller in route.xfail and not variant.name else [])
                name = f"{route.method} {route.rule}{f' [{variant.name}]' if variant.name else ''} as {caller}"
                cases.append(pytest.param(route, variant, caller, expected, id=name, marks=marks))
    return cases


def token_cases(routes: list[Route]) -> list:
    """Each protected route with each bad token (anonymous, tampered, expired, unknown key)."""
    import pytest

    return [pytest.param(route, forgery, id=f"{route.method} {route.rule} {forgery}")
            for route in routes if not route.public
            for forgery in ("anonymous", "tampered", "expired", "unknown key")]


def run_row(w: World, service: str, route: Route, variant: Variant, caller: str, expected: Expect) -> None:
    path = w.fill(variant.path)
    kwargs = variant.send(w) if variant.send else {}
    answer = w.call(service, route.method, path, None if caller == "anonymous" else caller, **kwargs)
    check(answer, expected, w.ids.get(variant.listed or route.listed) if expected in (SEES, BLIND) else None)


def run_bad_token(w: World, service: str, route: Route, forgery: str) -> None:
    """401 JSON through the gateway and, unless the route is for the internal network, straight from the
    service too."""
    if not hasattr(w, "bad"):
        w.bad = bad_tokens(w.stack, w.tokens["ej_member"]["access_token"])
    token = w.bad[forgery]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    path = w.fill(route.path)
    for direct in (False,) if route.service_open else (False, True):
        w.client.cookies.clear()
        answer = w.client.request(route.method, w.url(service, path, direct), headers=headers)
        where = "service" if direct else "gateway"
        assert answer.status_code == 401, f"{where}: {answer.status_code} {answer.text[:300]}"
        expected = "authentication_required" if token is None else "invalid_token"
        assert answer.json()["error"]["code"] == expected, where


def matrix_tests(routes: dict[str, list[Route]]) -> tuple:
    """A test module's access matrix for the services of `routes`: its world fixture `w`, the completeness
    test, one test per row and one per bad token. The module assigns them to module names, where pytest
    collects them: `w, test_every_route…, test_access, test_bad_token_is_refused = matrix_tests({…})`."""
    several = len(routes) > 1

    def cases(make) -> list:
        return [pytest.param(service, *case.values, id=f"{service} {case.id}" if several else case.id,
                             marks=case.marks)
                for service, service_routes_ in routes.items() for case in make(service_routes_)]

    @pytest.fixture(scope="module")
    def w(stack, gateway):
        return world(stack, gateway)

    @pytest.mark.parametrize("service", list(routes))
    def test_every_route_of_the_service_has_access_rows(service):
        assert_complete(service, routes[service])

    @pytest.mark.parametrize("service, route, variant, caller, expected", cases(row_cases))
    def test_access(w, service, route, variant, caller, expected):
        run_row(w, service, route, variant, caller, expected)

    @pytest.mark.parametrize("service, route, forgery", cases(token_cases))
    def test_bad_token_is_refused(w, service, route, forgery):
        run_bad_token(w, service, route, forgery)

    return w, test_every_route_of_the_service_has_access_rows, test_access, test_bad_token_is_refused
