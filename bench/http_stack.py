"""What the HTTP benchmarks share: the system on its own slot, users and contracts made through the
API, a wrk runner that reports JSON, and percentiles.

The bench slot (gateway 15080, services 15181…15186, SMTP 15025/15026, database `ecars_bench_http`,
exchange `ecars.events.benchhttp`, queues `benchhttp.*`, bucket `ecars-bench-http`) is clear of `make
run` (8080), the test slots (9080 + 1000·N for N = 0…3, so 12080 is slot 3's) and documents_bench
(14080, `ecars_bench`), so a bench can run while a test suite runs — though then it measures a busier
machine.

Load comes from wrk (Debian's `apt-get install wrk`, C, epoll): it costs a few % of one core at these
rates where a Python client would take most of one of the two cores from the system under test."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

from deploy.localstack import Stack, wait_for
from services.auth.passwords import hash_password

PASSWORD = "Bench-Http-2026!x"  # noqa: S105 (throwaway users of the bench database)
REGION = "Bretagne"
_HASH: str | None = None


def bench_stack(**overrides) -> Stack:
    settings = dict(state_dir=Path(tempfile.gettempdir()) / "ecars-bench-http", database="ecars_bench_http",
                    gateway_port=15080, first_service_port=15181, smtp_port=15025, mail_web_port=15026,
                    exchange="ecars.events.benchhttp", queue_prefix="benchhttp.", s3_bucket="ecars-bench-http",
                    shared_s3=True)
    extra_env = {"ECARS_LOG_LEVEL": "INFO", "ECARS_AUTH_ACCESS_TOKEN_SECONDS": "3600"}
    extra_env.update(overrides.pop("extra_env", {}))
    settings.update(overrides)
    return Stack(**settings, extra_env=extra_env)


def start(stack: Stack) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    print(f"Starting the system on :{stack.gateway_port} (logs in {stack.log_dir})…", flush=True)
    stack.up(fresh_database=True)


def restart_web(stack: Stack, names: list[str], workers: int, threads: int) -> None:
    """Serve `names` (services and/or "gateway") again with gunicorn workers × threads."""
    stack.gunicorn_workers, stack.gunicorn_threads = workers, threads
    for name in names:
        stack.stop(name)
        if name == "gateway":
            stack.spawn(name, stack.gunicorn("gateway.wsgi:app", stack.gateway_port))
        else:
            stack.spawn(name, stack.gunicorn(f"services.{name}.wsgi:app", stack.service_port(name)))
    stack.wait_until_ready()


def serve(stack: Stack, name: str, command: list[str], url: str, env: dict | None = None) -> None:
    """Start a baseline server of the bench (`command`, in the stack's process list as `name`, stopped with it)
    and wait until `url` answers 200."""
    stack.stop(name)
    stack.spawn(name, command, env=env)

    def answers() -> bool:
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(answers, f"{name} on {url}")


# -- users and contracts --------------------------------------------------------------------------

def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = hash_password(PASSWORD)
    return _HASH


def create_users(stack: Stack, emails: list[str], role: str = "etablissement", **extra) -> None:
    """Active users (password PASSWORD, no reset pending), straight into auth.users as the tests do."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{stack.database}", autocommit=True) as conn:
        columns = {"role": role, "nom": "BENCH", "prenom": "Eve", "civilite": "Mme",
                   "password_hash": password_hash(), "must_reset_password": False, **extra}
        names = ", ".join(["email", *columns])
        marks = ", ".join(["%s"] * (len(columns) + 1))
        with conn.cursor() as cursor:
            cursor.executemany(f"INSERT INTO auth.users ({names}) VALUES ({marks})",
                               [[email.lower(), *columns.values()] for email in emails])


def sign_in(gateway: str, email: str) -> dict:
    answer = httpx.post(f"{gateway}/api/auth/login", json={"email": email, "password": PASSWORD}, timeout=10)
    answer.raise_for_status()
    return answer.json()


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


QUESTION_KINDS = [
    [{"code": "REALISE", "label": "Réalisé", "kind": "number", "min": 0, "max": 100000}],
    [{"code": "REALISE", "label": "Réalisé", "kind": "percentage", "expected_min": 80}],
    [{"code": "REALISE", "label": "Réalisé", "kind": "yes_no"}],
    [{"code": "REALISE", "label": "Réalisé", "kind": "date"},
     {"code": "NOTE", "label": "Précisions", "kind": "text", "required": False}],
    [{"code": "REALISE", "label": "Réalisé", "kind": "choice", "choices": ["Non engagée", "En cours", "Aboutie"]}],
    [{"code": "FORMES", "label": "Agents formés", "kind": "number", "min": 0},
     {"code": "EFFECTIF", "label": "Effectif total", "kind": "number", "min": 0}],
]
GOOD = [{"REALISE": 42}, {"REALISE": "92,5"}, {"REALISE": "oui"}, {"REALISE": "15/03/2023", "NOTE": "vu"},
        {"REALISE": "En cours"}, {"FORMES": 10, "EFFECTIF": 25}]
CATEGORIES = ["Accompagnement", "Soins", "Parcours", "Pilotage interne", "Ressources humaines"]


def template(n: int) -> dict:
    """n indicators I001…, cycling through every question kind (the 6th has a FORMES ≤ EFFECTIF rule);
    indicator I001 (and every 6th) is a single number question, which the writes bench saves."""
    indicators = []
    for i in range(n):
        kind = i % len(QUESTION_KINDS)
        item = {"code": f"I{i + 1:03d}", "label": f"Indicateur numéro {i + 1} de la trame régionale",
                "category": CATEGORIES[i % len(CATEGORIES)], "questions": QUESTION_KINDS[kind]}
        if kind == 5:
            item["rules"] = [{"type": "lte", "left": "FORMES", "right": "EFFECTIF"}]
        indicators.append(item)
    return {"indicators": indicators}


def good_answers(code: str) -> dict:
    return GOOD[(int(code[1:]) - 1) % len(GOOD)]


def new_finess() -> str:
    return "22" + uuid.uuid4().hex[:7].translate(str.maketrans("abcdef", "123456"))


class Contracts:
    """An ARS user with a campaign of `indicators` indicators, who makes contracts for EJs whose
    establishment users it grants (through the auth API; the contracts service learns the grant from
    the event and we wait for its projection)."""

    def __init__(self, stack: Stack, indicators: int):
        self.gateway = stack.gateway_url
        self.stack = stack
        email = f"{unique('ars')}@e-cars.test"
        create_users(stack, [email], role="ars", region=REGION)
        self.ars_email, self.ars = email, sign_in(self.gateway, email)
        answer = httpx.post(f"{self.gateway}/api/contracts/campaigns", headers=bearer(self.ars), timeout=30, json={
            "name": unique("Campagne bench"), "evaluated_year": 2023, "starts_on": "2024-01-15",
            "ends_on": "2024-06-30", "region": REGION, "template": template(indicators)})
        assert answer.status_code == 201, answer.text
        self.campaign_id = answer.json()["id"]

    def contract_for(self, member_emails: list[str], finess: str | None = None) -> str:
        finess = finess or new_finess()
        answer = httpx.post(f"{self.gateway}/api/contracts/campaigns/{self.campaign_id}/contracts",
                            headers=bearer(self.ars), timeout=10, json={
                                "name": f"Auto-évaluation 2023 - EJ {finess}", "ej_finess": finess,
                                "ej_raison_sociale": f"EJ {finess}", "ej_adresse": "1 rue de la Paix 35000 RENNES",
                                "ej_telephone": "0299000000", "referent_email": self.ars_email})
        assert answer.status_code == 201, answer.text
        contract_id = answer.json()["id"]
        for email in member_emails:
            granted = httpx.post(f"{self.gateway}/api/auth/habilitations", headers=bearer(self.ars), timeout=10,
                                 json={"scope_type": "ej", "scope_id": finess, "civilite": "Mme", "nom": "MEMBRE",
                                       "prenom": "Eve", "fonction": "Directrice", "email": email})
            assert granted.status_code == 201, granted.text
        return contract_id

    def wait_for_access(self, tokens: dict, contract_id: str) -> None:
        url = f"{self.gateway}/api/contracts/contracts/{contract_id}"
        wait_for(lambda: httpx.get(url, headers=bearer(tokens), timeout=10).status_code == 200,
                 "the contracts service learning of the habilitation", timeout=30)

    def save(self, tokens: dict, contract_id: str, code: str, answers: dict, version: int) -> int:
        answer = httpx.put(f"{self.gateway}/api/contracts/contracts/{contract_id}/indicators/{code}",
                           headers=bearer(tokens), timeout=10,
                           json={"version": version, "answers": answers, "comment": ""})
        assert answer.status_code == 200, answer.text
        return answer.json()["version"]


# -- wrk ------------------------------------------------------------------------------------------

# Appended to every script: the totals, latency percentiles (µs) and per-thread status counts as JSON.
# A script's own `done` runs after it. (wrk 4.1's thread:get of a *table* leaves that thread's Lua stack
# one short: a dozen such calls crash wrk, so scripts pass strings and numbers — this one gets one table.)
REPORT_LUA = r"""
local __threads = {}
local __user_setup = setup
function setup(thread)
  table.insert(__threads, thread)
  if __user_setup then __user_setup(thread) end
end
local __user_response = response
__statuses = {}
function response(status, headers, body)
  __statuses[status] = (__statuses[status] or 0) + 1
  if __user_response then __user_response(status, headers, body) end
end
local __user_done = done
function done(summary, latency, requests)
  local statuses = {}
  for _, thread in ipairs(__threads) do
    local counts = thread:get("__statuses")
    for status, n in pairs(counts) do
      statuses[tostring(status)] = (statuses[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(statuses) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %f, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
  if __user_done then __user_done(summary, latency, requests) end
end
"""


def wrk(url: str, seconds: float, connections: int, threads: int | None = None, script: str = "",
        headers: dict | None = None, timeout: str = "5s") -> dict:
    """Run wrk against `url` for `seconds`; returns requests, rate, p50/p90/p99/max (ms), errors and
    the count of each HTTP status, and wrk's `stdout` (what the script's own `done` wrote). `script`: Lua
    run before REPORT_LUA (request/response/setup/done)."""
    threads = threads or min(connections, 2)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script + "\n" + REPORT_LUA)
        path = file.name
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", timeout, "-s", path]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    try:
        done = subprocess.run([*command, url], capture_output=True, text=True, timeout=seconds + 30)
    finally:
        os.unlink(path)
    line = next((line for line in done.stdout.splitlines() if line.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    errors = raw["errors"]
    statuses = {int(k): v for k, v in raw["statuses"].items()}
    return {"requests": raw["requests"], "rate": raw["requests"] / (raw["duration_us"] / 1e6),
            "p50": raw["p50_us"] / 1000, "p90": raw["p90_us"] / 1000, "p99": raw["p99_us"] / 1000,
            "max": raw["max_us"] / 1000, "mean": raw["mean_us"] / 1000,
            "errors": sum(errors.values()) - errors["status"] + sum(n for s, n in statuses.items() if s >= 400),
            "socket_errors": {k: v for k, v in errors.items() if k != "status" and v},
            "statuses": statuses, "stdout": done.stdout}


def lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string of ASCII is a valid Lua string literal


# -- a shared machine ----------------------------------------------------------------------------

class Machine:
    """The 2 cores are shared with whatever else runs (other test suites, other benches). Before a
    load run, `run` waits (up to `patience` s) for the machine to be idle; during it, it counts the CPU
    used by anything that is not this bench (its stack's process groups, its database's PostgreSQL
    backends, this process and its children such as wrk, and RabbitMQ, which carries our events):
    `other`, in cores. A run that others disturbed by more than `tolerance` cores is done again (at
    most `attempts` times in all), and the least disturbed is kept."""

    HZ = os.sysconf("SC_CLK_TCK")

    def __init__(self, stack: Stack, tolerance: float = 0.15, attempts: int = 3, patience: float = 240):
        self.stack, self.tolerance, self.attempts, self.patience = stack, tolerance, attempts, patience

    @staticmethod
    def _busy_idle() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields[:8]) - idle, idle

    def _ticks_by_group(self) -> dict[str, int]:
        """CPU ticks so far of what this bench runs, by group: each stack process by its name (gunicorn
        and its workers), "postgres" (its database's backends), "rabbitmq", "bench" (this process and
        live children such as wrk)."""
        groups = {process.pid: name for name, process in self.stack.processes.items()}
        me, totals = os.getpid(), {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                raw = stat.read_text()
                fields = raw.rsplit(")", 1)[1].split()
                ppid, pgrp, ticks = int(fields[1]), int(fields[2]), int(fields[11]) + int(fields[12])
                pid = int(stat.parent.name)
                comm = raw[raw.index("(") + 1:raw.rindex(")")]
                group = groups.get(pgrp) or ("bench" if me in (pid, ppid) else None)
                if group is None and comm == "beam.smp":  # our events go through it
                    group = "rabbitmq"
                if group is None and comm.startswith("postgres") and \
                        f" {self.stack.database} " in (stat.parent / "cmdline").read_bytes().decode(errors="replace"):
                    group = "postgres"
            except (OSError, ValueError, IndexError):
                continue
            if group is not None:
                totals[group] = totals.get(group, 0) + ticks
        return totals

    def wait_quiet(self, idle: float = 0.85, window: float = 2.0) -> bool:
        deadline = time.monotonic() + self.patience
        while time.monotonic() < deadline:
            busy0, idle0 = self._busy_idle()
            time.sleep(window)
            busy1, idle1 = self._busy_idle()
            if (idle1 - idle0) / max(1, busy1 - busy0 + idle1 - idle0) >= idle:
                return True
        print(f"  (the machine did not go quiet within {self.patience:.0f} s: measuring anyway)", flush=True)
        return False

    @staticmethod
    def _children_seconds() -> float:
        """CPU of this process's children that ended (wrk, subprocesses): gone from /proc by then."""
        times = os.times()
        return times.children_user + times.children_system

    def measure(self, run: Callable[[], dict | list]) -> tuple[dict | list, float]:
        """run() once; returns its result and the cores others used meanwhile. `self.spent` keeps the CPU
        seconds each group of ours used during it (plus "ended children", e.g. wrk, and "machine": every
        process on the box, kernel included)."""
        busy0, groups0, ended0 = self._busy_idle()[0], self._ticks_by_group(), self._children_seconds()
        started = time.monotonic()
        result = run()
        busy1, groups1, ended1 = self._busy_idle()[0], self._ticks_by_group(), self._children_seconds()
        elapsed = time.monotonic() - started
        self.spent = {name: (ticks - groups0.get(name, 0)) / self.HZ for name, ticks in groups1.items()}
        self.spent["ended children"] = ended1 - ended0
        ours = sum(self.spent.values())
        self.spent["machine"] = (busy1 - busy0) / self.HZ
        return result, max(0.0, (busy1 - busy0) / self.HZ - ours) / elapsed

    def run(self, run: Callable[[], dict | list], label: str = "",
            prepare: Callable[[], None] | None = None) -> tuple[dict | list, float]:
        """`prepare()`, unmeasured, before each attempt."""
        best = None
        for _ in range(self.attempts):
            if prepare is not None:
                prepare()
            self.wait_quiet()
            result, other = self.measure(run)
            if best is None or other < best[1]:
                best = (result, other)
                self.best_spent = dict(self.spent)
            if other <= self.tolerance:
                break
            print(f"  ({label or 'run'}: others used {other:.2f} cores meanwhile; again)", flush=True)
        return best


# -- figures --------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def settle(seconds: float = 2.0) -> None:
    """Let the workers drain what the previous run queued (events, logs) before the next one."""
    time.sleep(seconds)
