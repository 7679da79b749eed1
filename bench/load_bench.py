"""Load held: the main routes a user hits, read and written through the gateway for 60 s (issue 9).

A realistic set is seeded through the API: an ARS user and its campaign of 31 indicators (every question
kind, like the demo's); 20 EJs (2 ETs each) imported into the cpom service, each with its establishment
user (granted the EJ through the auth API), its contract (12 indicators already answered) and its CPOM
(phase « Préparation », a grid of 2 axes, 3 objectives and 4 indicators); the last 4 contracts are
filled in and closed, so that the ARS's closings list has rows.

wrk then runs 16 connections, one per wrk thread, for `--seconds` (60). Each connection picks its next
request at random with these weights (ROUTES), 80 % reads / 20 % writes:
  reads  — the EJ home list (contracts and cpom lists, 7 + 7), opening a contract (14), an indicator (16),
           the CPOM sheet (10), its objectives grid (10), a fiche Objectif (6), as one of the 20 EJ users
           drawn at random; the ARS's campaign progress (5), closings (2) and CPOM transmissions (3);
  writes — « Enregistrer » on an indicator (12), a CPOM remark (4), the fiche Objectif's actions (4), as
           the connection's own user on its own contract, indicator (a number, I001) and CPOM: each save
           sends the version its previous save returned, so a 409 cannot happen and would be an error.
Writes stop 2 s before the end (reads go on), so that none is in flight when wrk stops and the rows stored
can be matched exactly with the 2xx counted. Any non-2xx answer or socket error counts as an error.

Baseline, in the same run: the bare GET /api/contracts/health/live through the gateway at the same
concurrency (16 connections, one per thread). After the load the bench checks the database: stored saves
(the indicators' versions) = 2xx saves, one audit row each, one contracts.indicator.saved event each, remarks
and fiche Objectif audit rows = 2xx answers, and no unsent outbox row in any service after a short drain.

The machine is shared: before each run the bench waits (up to `--patience` s) for the cores to be idle and
for the other stacks to leave `--headroom` of PostgreSQL's connections free (a service that cannot open one
answers 503), and prints the others' CPU and connections during the run; a disturbed run is done again
(`--attempts`), the one with the fewest errors, then the least disturbed, is reported.

    .venv/bin/python -m bench.load_bench [--seconds 60] [--connections 16] [--users 20] [--attempts 2]

Own slot, so it can run beside the other benches and test suites: gateway 16080, services 16181…16186,
SMTP 16025/16026, database `ecars_bench_load`, exchange `ecars.events.benchload`, queues `benchload.*`,
bucket `ecars-bench-load`.
"""

import argparse
import json
import random
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from bench import rss
from bench.http_stack import (
    Contracts,
    Machine,
    bearer,
    bench_stack,
    create_users,
    good_answers,
    lua_string,
    machine_load,
    percentile,
    settle,
    sign_in,
    start,
    unique,
    wrk,
)
from deploy.localstack import Stack, wait_for
from ecars_common.config import SERVICES
from services.cpom.domain import luhn_key

# (key, what a user does, weight in %, write?) — the Lua script below builds each key's request.
ROUTES = [
    ("contracts_ej", "EJ home list: GET /api/contracts/ej", 7, False),
    ("cpom_ej", "EJ home list: GET /api/cpom/ej", 7, False),
    ("contract", "open a contract: GET …/contracts/<id>", 14, False),
    ("indicator", "an indicator: GET …/indicators/<code>", 16, False),
    ("cpom_sheet", "CPOM sheet: GET /api/cpom/cpoms/<id>", 10, False),
    ("cpom_grid", "objectives grid: GET …/cpoms/<id>/grille", 10, False),
    ("cpom_objective", "fiche Objectif: GET …/objectifs/<id>", 6, False),
    ("ars_progress", "ARS progress: GET …/campaigns/<id>/progress", 5, False),
    ("ars_closings", "ARS closings: GET …/territoire/clotures", 2, False),
    ("ars_transmissions", "ARS CPOM transmissions: GET /api/cpom/territoire/…", 3, False),
    ("save_indicator", "save an indicator: PUT …/indicators/I001", 12, True),
    ("cpom_remark", "CPOM remark: POST …/cpoms/<id>/remarques", 4, True),
    ("objective_entry", "fiche Objectif actions: PUT …/objectifs/<id>/saisie", 4, True),
]
assert sum(weight for _, _, weight, _ in ROUTES) == 100
SAVED_CODE = "I001"  # a number question (bench.http_stack.template): each save changes its value
PREFILLED = 12
DEPARTEMENT = "22"

GRID = {"axes": [
    {"code": "A1", "libelle": "Accompagnement", "objectifs": [
        {"code": "O1", "libelle": "Personnaliser l'accompagnement", "perimetre": "tous", "indicateurs": [
            {"code": "ACC 1", "libelle": "Personnes accompagnées", "type": "quantitatif",
             "categorie": "accompagnement", "declinaison": "et_par_et"},
            {"code": "PILOT 072", "libelle": "Taux de marge N-1 renseigné dans l'ERSD", "type": "taux",
             "categorie": "pilotage_interne", "declinaison": "et_par_et", "indications": "résultat / produits"}]},
        {"code": "O2", "libelle": "Coopérer avec les acteurs du territoire", "perimetre": "tous", "indicateurs": [
            {"code": "COOP 1", "libelle": "Partenariats", "type": "qualitatif", "categorie": "cooperation",
             "declinaison": "cpom"}]}]},
    {"code": "A2", "libelle": "Soins", "objectifs": [
        {"code": "O3", "libelle": "Accompagner la fin de vie", "perimetre": "tous", "indicateurs": [
            {"code": "SOIN 1", "libelle": "Convention soins palliatifs", "type": "oui_non", "categorie": "soins",
             "declinaison": "et_par_et"}]}]},
]}


@dataclass
class EjUser:
    email: str
    finess: str
    contract_id: str = ""
    cpom_id: str = ""
    objectives: list[str] = field(default_factory=list)
    tokens: dict = field(default_factory=dict)
    closed: bool = False


@dataclass
class Seeded:
    ars: dict
    campaign_id: str
    users: list[EjUser]

    @property
    def writers(self) -> list[EjUser]:
        return [user for user in self.users if not user.closed]


# -- the data set ---------------------------------------------------------------------------------

def new_finess(taken: set[str]) -> str:
    while True:
        head = f"{DEPARTEMENT}{random.randrange(10 ** 6):06d}"
        number = head + luhn_key(head)
        if number not in taken:
            taken.add(number)
            return number


def organisations_csv(users: list[EjUser], taken: set[str], region: str) -> str:
    rows = ["type;finess;nom;adresse;telephone;finess_ej;region;domaine"]
    for user in users:
        rows.append(f"EJ;{user.finess};EJ CHARGE {user.finess};1 RUE DU PORT {DEPARTEMENT}000 SAINT-BRIEUC;"
                    "0296000000;;;")
        for i in range(2):
            rows.append(f"ET;{new_finess(taken)};ET {i + 1} DE {user.finess};{i + 1} AV DES TESTS;;{user.finess};"
                        f"{region};Médico-social")
    return "\n".join(rows) + "\n"


def seed(stack: Stack, users: int = 20, closed: int = 4, indicators: int = 31, prefilled: int = PREFILLED) -> Seeded:
    """The data set above, through the API (users are rows in auth.users, as in the other benches)."""
    gateway = stack.gateway_url
    contracts = Contracts(stack, indicators)
    region = "Bretagne"
    taken: set[str] = set()
    people = [EjUser(f"{unique('etab')}@e-cars.test", new_finess(taken)) for _ in range(users)]
    create_users(stack, [p.email for p in people])
    ars = contracts.ars
    imported = httpx.post(f"{gateway}/api/cpom/organisations/import", content=organisations_csv(people, taken, region),
                          headers={**bearer(ars), "Content-Type": "text/csv"}, timeout=30)
    assert imported.status_code == 200, imported.text
    with httpx.Client(base_url=gateway, timeout=30) as client:
        for person in people:
            person.contract_id = contracts.contract_for([person.email], finess=person.finess)
            made = client.post("/api/cpom/cpoms", headers=bearer(ars), json={
                "nom": f"CPOM {person.finess} {unique('charge')}", "ej_finess": person.finess, "competence": "ARS",
                "departements": [DEPARTEMENT]})
            assert made.status_code == 201, made.text
            person.cpom_id = made.json()["id"]
            grid = client.put(f"/api/cpom/cpoms/{person.cpom_id}/grille", headers=bearer(ars), json=GRID)
            assert grid.status_code == 200, grid.text
            person.objectives = [o["id"] for axe in grid.json()["axes"] for o in axe["objectifs"]]
        for i, person in enumerate(people):
            person.tokens = sign_in(gateway, person.email)
            contracts.wait_for_access(person.tokens, person.contract_id)
            cpom_url = f"/api/cpom/cpoms/{person.cpom_id}"
            wait_for(lambda url=cpom_url, who=person: client.get(url, headers=bearer(who.tokens)).status_code == 200,
                     "the cpom service learning of the habilitation", timeout=30)
            person.closed = i >= users - closed
            codes = [f"I{n + 1:03d}" for n in range(indicators if person.closed else min(prefilled, indicators))]
            for code in codes:
                contracts.save(person.tokens, person.contract_id, code, good_answers(code), 0)
            if person.closed:
                done = client.post(f"/api/contracts/contracts/{person.contract_id}/close",
                                   headers=bearer(person.tokens))
                assert done.status_code == 200, done.text
    return Seeded(ars, contracts.campaign_id, people)


# -- the load -------------------------------------------------------------------------------------

LOAD_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } ecars_load_timespec;
int clock_gettime(int clk_id, ecars_load_timespec *tp);
]]
local timespec = ffi.new("ecars_load_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec)  -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000000 + math.floor(tonumber(timespec.tv_nsec) / 1000)
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("uid", #threads)
end

local total_weight, read_weight = 0, 0
for _, route in ipairs(mix) do
  total_weight = total_weight + route.weight
  if not route.write then read_weight = read_weight + route.weight end
end

function init(args)
  me = users[uid]           -- this connection's own user: it alone writes to its contract and CPOM
  version = me.version        -- the version its previous save returned
  last_value = me.last_value  -- the value stored: each save sends another one, so each writes an audit row
  n = 0
  -- per route, as globals done() reads with thread:get: sent_<key> (requests sent) and seen_<key>, one
  -- "status latency_us," per answer. Strings and numbers only: wrk 4.1's thread:get of a table leaves the
  -- thread's Lua stack one short, and a dozen of them crash it.
  for _, route in ipairs(mix) do
    _G["sent_" .. route.key], _G["seen_" .. route.key] = 0, ""
  end
  math.randomseed(uid * 7919 + 17)
  writes_until = now_us() + duration_us - quiet_us
end

local function auth(token, extra)
  local headers = {["Authorization"] = "Bearer " .. token}
  if extra then headers["Content-Type"] = "application/json" end
  return headers
end

local function get(path, token) return wrk.format("GET", path, auth(token)) end
local function send(method, path, token, body) return wrk.format(method, path, auth(token, true), body) end

local build = {
  contracts_ej = function(u) return get("/api/contracts/ej", u.token) end,
  cpom_ej = function(u) return get("/api/cpom/ej?sort=etablissement&page=1", u.token) end,
  contract = function(u) return get("/api/contracts/contracts/" .. u.contract, u.token) end,
  indicator = function(u)
    return get("/api/contracts/contracts/" .. u.contract .. "/indicators/" .. codes[math.random(#codes)], u.token)
  end,
  cpom_sheet = function(u) return get("/api/cpom/cpoms/" .. u.cpom, u.token) end,
  cpom_grid = function(u) return get("/api/cpom/cpoms/" .. u.cpom .. "/grille", u.token) end,
  cpom_objective = function(u)
    return get("/api/cpom/cpoms/" .. u.cpom .. "/objectifs/" .. u.objectives[math.random(#u.objectives)], u.token)
  end,
  ars_progress = function() return get("/api/contracts/campaigns/" .. ars.campaign .. "/progress", ars.token) end,
  ars_closings = function() return get("/api/contracts/territoire/clotures", ars.token) end,
  ars_transmissions = function() return get("/api/cpom/territoire/transmissions", ars.token) end,
  save_indicator = function()
    sent_value = (salt + n) % 99991 + 1
    if sent_value == last_value then sent_value = sent_value % 99991 + 1 end
    return send("PUT", me.save_path, me.token,
                string.format('{"version": %d, "answers": {"REALISE": %d}, "comment": ""}', version, sent_value))
  end,
  cpom_remark = function()
    return send("POST", "/api/cpom/cpoms/" .. me.cpom .. "/remarques", me.token,
                string.format('{"texte": "Remarque de charge n° %d de la connexion %d"}', n, uid))
  end,
  objective_entry = function()
    return send("PUT", "/api/cpom/cpoms/" .. me.cpom .. "/objectifs/" .. me.objectives[1] .. "/saisie", me.token,
                string.format('{"actions": ["Action %d : entretien annuel", "Action %d : projet personnalisé"]}',
                              n, n + 1))
  end,
}

local function pick(now)
  local writing = now < writes_until
  local r = math.random() * (writing and total_weight or read_weight)
  for _, route in ipairs(mix) do
    if writing or not route.write then
      r = r - route.weight
      if r < 0 then return route.key end
    end
  end
  return mix[1].key
end

function request()
  n = n + 1
  local now = now_us()
  current = pick(now)
  _G["sent_" .. current] = _G["sent_" .. current] + 1
  started = now
  return build[current](users[math.random(#users)])
end

function response(status, headers, body)
  local elapsed = now_us() - started
  _G["seen_" .. current] = _G["seen_" .. current] .. string.format("%d %d,", status, elapsed)
  if current == "save_indicator" then
    local v = body:match('"version":%s*(%d+)') or body:match('"current_version":%s*(%d+)')
    if v then version = tonumber(v) end
    if status == 200 then last_value = sent_value end
  end
end

function done(summary, latency, requests)
  local routes = {}
  for _, route in ipairs(mix) do
    local sent, seen = 0, {}
    for _, thread in ipairs(threads) do
      sent = sent + thread:get("sent_" .. route.key)
      table.insert(seen, thread:get("seen_" .. route.key))
    end
    table.insert(routes, string.format('"%s": {"sent": %d, "seen": "%s"}', route.key, sent, table.concat(seen)))
  end
  io.write("LOAD_JSON {\"routes\": {" .. table.concat(routes, ", ") .. "}}\n")
end
"""


def lua_value(value) -> str:
    """Python data as a Lua constructor (strings, numbers, booleans, lists and str-keyed dicts)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return lua_string(value)
    if isinstance(value, list):
        return "{" + ", ".join(lua_value(item) for item in value) + "}"
    return "{" + ", ".join(f"{key} = {lua_value(item)}" for key, item in value.items()) + "}"


def save_path(user: EjUser) -> str:
    return f"/api/contracts/contracts/{user.contract_id}/indicators/{SAVED_CODE}"


def saved_state(stack: Stack, user: EjUser) -> dict:
    """The version and the value of the user's saved indicator as they stand."""
    answer = httpx.get(f"{stack.gateway_url}{save_path(user)}", headers=bearer(user.tokens), timeout=10)
    answer.raise_for_status()
    value = next(q["value"] for q in answer.json()["questions"] if q["code"] == "REALISE")
    return {"version": answer.json()["version"], "last_value": int(float(value)) if value is not None else -1}


def load_script(stack: Stack, data: Seeded, connections: int, seconds: float, quiet: float, indicators: int) -> str:
    writers = data.writers[:connections]
    users = [{"token": u.tokens["access_token"], "contract": u.contract_id, "cpom": u.cpom_id,
              "objectives": u.objectives} for u in writers]
    users += [{"token": u.tokens["access_token"], "contract": u.contract_id, "cpom": u.cpom_id,
               "objectives": u.objectives} for u in data.users if u not in writers]
    for entry, user in zip(users, writers, strict=False):  # the first `connections` entries own their writes
        entry.update(save_path=save_path(user), **saved_state(stack, user))
    settings = {
        "users": users,
        "ars": {"token": data.ars["access_token"], "campaign": data.campaign_id},
        "codes": [f"I{n + 1:03d}" for n in range(indicators)],
        "mix": [{"key": key, "weight": weight, "write": write} for key, _, weight, write in ROUTES],
        "duration_us": int(max(1, round(seconds)) * 1e6), "quiet_us": int(quiet * 1e6),
        "salt": random.randrange(99991),
    }
    return "".join(f"{name} = {lua_value(value)}\n" for name, value in settings.items()) + LOAD_LUA


def run_load(stack: Stack, data: Seeded, seconds: float, connections: int, quiet: float | None = None,
             indicators: int = 31) -> dict:
    """wrk with the mix for `seconds`: wrk's totals plus, per route, requests, statuses and latencies (ms)."""
    if connections > len(data.writers):
        raise ValueError(f"{connections} connections need as many open contracts; there are {len(data.writers)}")
    quiet = min(2.0, seconds / 5) if quiet is None else quiet
    script = load_script(stack, data, connections, seconds, quiet, indicators)
    result = wrk(f"{stack.gateway_url}/", seconds, connections, threads=connections, script=script)
    line = next(line for line in result["stdout"].splitlines() if line.startswith("LOAD_JSON "))
    raw = json.loads(line.removeprefix("LOAD_JSON "))
    duration = result["requests"] / result["rate"] if result["rate"] else seconds
    routes = {}
    for key, label, weight, write in ROUTES:
        route = raw["routes"][key]
        seen = [[int(n) for n in item.split()] for item in route["seen"].split(",") if item]
        statuses = dict(Counter(status for status, _ in seen))
        answered = len(seen)
        latencies = [us / 1000 for _, us in seen]
        routes[key] = {"label": label, "weight": weight, "write": write, "sent": route["sent"],
                       "requests": answered, "rate": answered / duration, "statuses": statuses,
                       "ok": sum(count for status, count in statuses.items() if 200 <= status < 300),
                       "p50": percentile(latencies, 50) if latencies else 0.0,
                       "p99": percentile(latencies, 99) if latencies else 0.0}
        routes[key]["errors"] = answered - routes[key]["ok"]  # socket errors are wrk's, per run
    socket_errors = sum(result["socket_errors"].values())
    errors = sum(route["errors"] for route in routes.values()) + socket_errors
    result.pop("stdout")
    return {"total": result, "routes": routes, "socket_errors": socket_errors, "errors": errors,
            "error_rate": errors / max(1, result["requests"] + socket_errors),
            "writes_in_flight_at_end": sum(r["sent"] - r["requests"] for r in routes.values() if r["write"]),
            "seconds": duration, "connections": connections, "quiet": quiet}


# -- what the database holds afterwards -----------------------------------------------------------

def connect(stack: Stack) -> psycopg.Connection:
    return psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{stack.database}", autocommit=True)


def snapshot(stack: Stack, data: Seeded, connections: int) -> dict:
    """Versions, audit and outbox positions before a run, to count what the run added."""
    writers = data.writers[:connections]
    contract_ids = [u.contract_id for u in writers]
    with connect(stack) as conn:
        versions = dict(conn.execute(
            "SELECT contract_id::text, version FROM contracts.indicator_answers "
            "WHERE indicator_code = %s AND contract_id = ANY(%s::uuid[])", (SAVED_CODE, contract_ids)).fetchall())
        return {
            "versions": {c: versions.get(c, 0) for c in contract_ids},
            "contracts_audit": conn.execute("SELECT coalesce(max(id), 0) FROM contracts.audit").fetchone()[0],
            "contracts_outbox": conn.execute("SELECT coalesce(max(seq), 0) FROM contracts.outbox").fetchone()[0],
            "cpom_audit": conn.execute("SELECT coalesce(max(id), 0) FROM cpom.audit_log").fetchone()[0],
            "remarks": conn.execute("SELECT count(*) FROM cpom.remarques WHERE cpom_id = ANY(%s::uuid[])",
                                    ([u.cpom_id for u in writers],)).fetchone()[0],
        }


def unsent_events(conn: psycopg.Connection) -> dict[str, int]:
    return {name: conn.execute(f'SELECT count(*) FROM "{name}".outbox WHERE sent_at IS NULL').fetchone()[0]
            for name in SERVICES}


def check(stack: Stack, data: Seeded, before: dict, load: dict, drain: float = 20) -> dict:
    """What the run stored against the 2xx it counted; `ok` when every figure matches."""
    writers = data.writers[:len(before["versions"])]
    contract_ids = list(before["versions"])
    cpom_ids = [u.cpom_id for u in writers]
    deadline = time.monotonic() + drain
    with connect(stack) as conn:
        while sum((unsent := unsent_events(conn)).values()) and time.monotonic() < deadline:
            time.sleep(0.2)
        versions = dict(conn.execute(
            "SELECT contract_id::text, version FROM contracts.indicator_answers "
            "WHERE indicator_code = %s AND contract_id = ANY(%s::uuid[])", (SAVED_CODE, contract_ids)).fetchall())
        audit = conn.execute("SELECT count(*) FROM contracts.audit WHERE id > %s AND indicator_code = %s "
                             "AND contract_id = ANY(%s::uuid[])",
                             (before["contracts_audit"], SAVED_CODE, contract_ids)).fetchone()[0]
        events = conn.execute("SELECT count(*) FROM contracts.outbox WHERE seq > %s "
                              "AND type = 'contracts.indicator.saved' AND envelope->'data'->>'contract_id' = ANY(%s)",
                              (before["contracts_outbox"], contract_ids)).fetchone()[0]
        remarks = conn.execute("SELECT count(*) FROM cpom.remarques WHERE cpom_id = ANY(%s::uuid[])",
                               (cpom_ids,)).fetchone()[0] - before["remarks"]
        cpom_audit = dict(conn.execute(
            "SELECT action, count(*) FROM cpom.audit_log WHERE id > %s AND cpom_id = ANY(%s::uuid[]) GROUP BY action",
            (before["cpom_audit"], cpom_ids)).fetchall())
    routes = load["routes"]
    found = {
        "saves_2xx": routes["save_indicator"]["ok"],
        "saves_stored": sum(versions.get(c, 0) - v for c, v in before["versions"].items()),
        "save_audit_rows": audit,
        "save_events": events,
        "remarks_2xx": routes["cpom_remark"]["ok"],
        "remarks_stored": remarks,
        "remark_audit_rows": cpom_audit.get("remarque.added", 0),
        "entries_2xx": routes["objective_entry"]["ok"],
        "entry_audit_rows": cpom_audit.get("saisie.objectif_saved", 0),
        "unsent_events": unsent,
    }
    found["ok"] = (found["saves_2xx"] == found["saves_stored"] == found["save_audit_rows"] == found["save_events"]
                   and found["remarks_2xx"] == found["remarks_stored"] == found["remark_audit_rows"]
                   and found["entries_2xx"] == found["entry_audit_rows"] and not sum(unsent.values()))
    return found


# -- PostgreSQL connections, shared with every other stack on the machine -------------------------

class Connections:
    """The machine's PostgreSQL takes `max_connections` (100 here) clients in all, and every stack running
    (test suites, other benches) holds some: under load each service worker's pool grows to 15, and a
    service that cannot get one answers 503 database_unavailable. So before a run the bench waits for the
    others to leave it `headroom`, and during the run it samples ours (peak) and theirs (most)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.peak_ours = self.most_others = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def count(self) -> tuple[int, int, int]:
        """(ours, others', max_connections)."""
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            limit = int(conn.execute("SHOW max_connections").fetchone()[0])
            ours, others = conn.execute(  # others: less this connection, and PostgreSQL's own (no database)
                "SELECT count(*) FILTER (WHERE datname = %s), "
                "count(*) FILTER (WHERE datname IS NOT NULL AND datname <> %s) - 1 FROM pg_stat_activity",
                (self.stack.database, self.stack.database)).fetchone()
        return ours, others, limit

    def wait_for_headroom(self, headroom: int, patience: float) -> None:
        deadline = time.monotonic() + patience
        others, limit = 0, 0
        while True:
            try:
                _, others, limit = self.count()
            except psycopg.OperationalError:  # too many clients already
                others, limit = 1, 0
            if limit - others >= headroom or time.monotonic() > deadline:
                break
            time.sleep(2)
        if limit - others < headroom:
            print(f"  (others hold {others} of PostgreSQL's {limit} connections: measuring anyway)", flush=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            try:
                ours, others, _ = self.count()
            except psycopg.OperationalError:  # too many clients: the sampler is one of them
                continue
            self.peak_ours, self.most_others = max(self.peak_ours, ours), max(self.most_others, others)

    def __enter__(self) -> "Connections":
        self.peak_ours = self.most_others = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# -- the bench ------------------------------------------------------------------------------------

def load_stack(**overrides) -> Stack:
    settings = dict(state_dir=Path(tempfile.gettempdir()) / "ecars-bench-load", database="ecars_bench_load",
                    gateway_port=16080, first_service_port=16181, smtp_port=16025, mail_web_port=16026,
                    exchange="ecars.events.benchload", queue_prefix="benchload.", s3_bucket="ecars-bench-load")
    settings.update(overrides)
    return bench_stack(**settings)


def report(args, baseline: dict, base_other: float, load: dict, other: float, found: dict, pg: dict) -> None:
    total = load["total"]
    print(f"\nLoad held: the main routes through the gateway, {load['connections']} connections (one wrk thread "
          f"each), {args.seconds:.0f} s, 80 % reads / 20 % writes (writes stop {load['quiet']:.0f} s before the "
          f"end); {args.users} EJ users, campaign of {args.indicators} indicators; gunicorn "
          f"{Stack.gunicorn_workers}×{Stack.gunicorn_threads}; {machine_load()}")
    print(f"  {'route':<54} {'weight':>6} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} errors  statuses")
    for route in load["routes"].values():
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(route["statuses"].items()))
        print(f"  {route['label']:<54} {route['weight']:>5}% {route['requests']:>8} {route['rate']:>7.1f} "
              f"{route['p50']:>7.1f} {route['p99']:>7.1f} {route['errors']:>6}  {statuses}")
    print(f"  {'total (wrk)':<54} {'':>6} {total['requests']:>8} {total['rate']:>7.1f} {total['p50']:>7.1f} "
          f"{total['p99']:>7.1f} {load['errors']:>6}  max {total['max']:.0f} ms; others' load {other:.2f} cores")
    print(f"  {'baseline: GET /api/contracts/health/live, same layout':<54} {'':>6} {baseline['requests']:>8} "
          f"{baseline['rate']:>7.1f} {baseline['p50']:>7.1f} {baseline['p99']:>7.1f} {baseline['errors']:>6}  "
          f"others' load {base_other:.2f} cores")
    print(f"  PostgreSQL connections during the run: ours at most {pg['ours']}, others' at most {pg['others']}, "
          f"of {pg['limit']}")
    print(f"  ratio to the baseline: {total['rate'] / baseline['rate']:.3f} (req/s); error rate "
          f"{load['error_rate']:.4%} ({load['errors']} errors, socket errors {total['socket_errors'] or 'none'}); "
          f"writes in flight at the end: {load['writes_in_flight_at_end']}")
    unsent = sum(found["unsent_events"].values())
    print(f"  stored: saves {found['saves_stored']} for {found['saves_2xx']} 2xx, "
          f"audit rows {found['save_audit_rows']}, events {found['save_events']}; "
          f"remarks {found['remarks_stored']} for {found['remarks_2xx']} 2xx "
          f"(audit {found['remark_audit_rows']}); fiche Objectif audit rows {found['entry_audit_rows']} for "
          f"{found['entries_2xx']} 2xx; unsent outbox rows after the drain {unsent} "
          f"{'✔' if found['ok'] else '✘ ' + json.dumps(found['unsent_events'])}")
    held = load["errors"] == 0 and found["ok"]
    print(f"  load held (error rate 0, every write stored once with its audit row and event): {'✔' if held else '✘'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--users", type=int, default=20, help="EJ users (each with a contract and a CPOM)")
    parser.add_argument("--closed", type=int, default=4, help="of which contracts filled in and closed")
    parser.add_argument("--indicators", type=int, default=31)
    parser.add_argument("--baseline-seconds", type=float, default=15)
    parser.add_argument("--attempts", type=int, default=2, help="load runs at most, when others disturb one")
    parser.add_argument("--patience", type=float, default=240, help="s to wait for the machine to go quiet")
    parser.add_argument("--headroom", type=int, default=70,
                        help="PostgreSQL connections the others must leave free before a run")
    args = parser.parse_args()
    if args.connections > args.users - args.closed:
        raise SystemExit("--connections must not exceed --users minus --closed (a connection owns an open contract)")
    stack = load_stack()
    machine = Machine(stack, attempts=args.attempts, patience=args.patience)
    connections = Connections(stack)
    try:
        connections.wait_for_headroom(args.headroom, args.patience)
        start(stack)
        started = time.monotonic()
        data = seed(stack, args.users, args.closed, args.indicators)
        print(f"  seeded in {time.monotonic() - started:.0f} s", flush=True)
        base_url = f"{stack.gateway_url}/api/contracts/health/live"
        wrk(base_url, 3, args.connections, threads=args.connections)  # warm-up
        settle()
        baseline, base_other = machine.run(
            lambda: wrk(base_url, args.baseline_seconds, args.connections, threads=args.connections), "baseline")
        print(f"  baseline: {baseline['rate']:.0f} req/s", flush=True)
        run_load(stack, data, 5, args.connections, indicators=args.indicators)  # warm-up of every route
        best = None
        for attempt in range(args.attempts):
            settle()
            before = snapshot(stack, data, args.connections)
            connections.wait_for_headroom(args.headroom, args.patience)
            machine.wait_quiet()
            with connections:
                load, other = machine.measure(lambda: run_load(stack, data, args.seconds, args.connections,
                                                               indicators=args.indicators))
            pg = {"ours": connections.peak_ours, "others": connections.most_others, "limit": connections.count()[2]}
            found = check(stack, data, before, load)
            print(f"  load run {attempt + 1}: {load['total']['rate']:.0f} req/s, {load['errors']} errors, "
                  f"others used {other:.2f} cores and up to {pg['others']} PostgreSQL connections", flush=True)
            if best is None or (load["errors"], other) < (best[0]["errors"], best[1]):
                best, spent = (load, other, found, pg), dict(machine.spent)
            if other <= machine.tolerance and not load["errors"]:
                break
        memory = rss.of_stack(stack.processes)
    finally:
        stack.down()
    report(args, baseline, base_other, *best)
    rss.report(memory, spent, best[0]["total"]["requests"], args.seconds)


if __name__ == "__main__":
    main()
