"""Saving an indicator (« Enregistrer »: PUT /api/contracts/contracts/<id>/indicators/<code>) through the
gateway at 8 concurrent users, against a bare Flask JSON route of the same service (GET /health/live,
straight to its port) at the same concurrency, measured in the same run.

Each user saves its own indicator over and over, sending the version the previous save returned (so no
409 — any 4xx/5xx is counted as an error) and a new value each time (so every save writes an audit row,
bumps the contract's version and puts a contracts.indicator.saved event in the outbox, which the worker
publishes meanwhile). Two layouts, 10 s each (wrk, one connection per user):
  A. every user on its own contract (8 establishments saving at once);
  B. the 8 users on one contract, each on its own indicator — the write of a save takes the contract's row
     lock (its version bump, which serialises it with « Clore la saisie »), so the writes queue.
Targets: ≥ 300 saves/s, p99 < 50 ms.

    .venv/bin/python -m bench.writes_bench [--indicators 31] [--seconds 10] [--config 2x4]
"""

import argparse
import sys

import httpx

from bench.http_stack import (
    Contracts,
    Machine,
    bench_stack,
    create_users,
    lua_string,
    machine_load,
    serve,
    settle,
    sign_in,
    start,
    unique,
    wrk,
)
from deploy.localstack import Stack

USERS = 8
TARGET = 300  # saves/s, set on the reference machine …
REFERENCE_RATE = 7000  # … where its bare Flask JSON route (gunicorn 2 workers, wrk -c32) ran at ≈ 7,000 req/s
REFERENCE_PORT = 15091

# One wrk thread per user, one connection each: the thread keeps its user's version.
SAVE_LUA = r"""
local users = %s
local created = 0
function setup(thread)
  created = created + 1
  thread:set("uid", created)
end
function init(args)
  me = users[uid]
  version = me.version
  n = 0
end
function request()
  n = n + 1
  local body = string.format(me.body, version, n %% 5000 + 1, n %% 5000 + 11)
  return wrk.format("PUT", me.path, {["Authorization"] = "Bearer " .. me.token,
                                    ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  local v = body:match('"version":%%s*(%%d+)') or body:match('"current_version":%%s*(%%d+)')
  if v then version = tonumber(v) end
end
"""

# A number answer that changes at each save: the indicator's kind is number (I001, I007, …) or the
# FORMES ≤ EFFECTIF pair (I006, I012, …), see bench.http_stack.template.
BODIES = {0: '{"version": %d, "answers": {"REALISE": %d}, "comment": ""}',
          5: '{"version": %d, "answers": {"FORMES": %d, "EFFECTIF": %d}, "comment": ""}'}


def writable_codes(indicators: int) -> list[str]:
    return [f"I{i + 1:03d}" for i in range(indicators) if i % 6 in BODIES]


def lua_users(users: list[dict]) -> str:
    items = [f'{{path = {lua_string(u["path"])}, token = {lua_string(u["token"])}, body = {lua_string(u["body"])}, '
             f'version = {u["version"]}}}' for u in users]
    return "{" + ",\n".join(items) + "}"


def saves(stack: Stack, machine: Machine, users: list[dict], seconds: float, label: str) -> tuple[dict, float]:
    wrk(f"{stack.gateway_url}/", 2, USERS, threads=USERS, script=SAVE_LUA % lua_users(users))  # warm-up

    def prepare() -> None:  # carry on from where the last run left each indicator
        settle()  # what wrk sent as it stopped is committed by now
        for user in users:
            user["version"] = current_version(stack, user)

    result, other = machine.run(lambda: wrk(f"{stack.gateway_url}/", seconds, USERS, threads=USERS,
                                            script=SAVE_LUA % lua_users(users)), label, prepare)
    result["cpu_ms"] = {name: 1000 * spent / max(1, result["requests"]) for name, spent in machine.best_spent.items()}
    return result, other


def reference_baseline(stack: Stack, machine: Machine, seconds: float) -> tuple[dict, float]:
    """bench/bare_flask.py as the issue measured its baseline: gunicorn 2 workers (its default worker), wrk -c32."""
    url = f"http://127.0.0.1:{REFERENCE_PORT}/"
    serve(stack, "bare-flask", [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{REFERENCE_PORT}",
                                "--workers", "2", "--no-control-socket", "bench.bare_flask:app"], url)
    wrk(url, 2, 32)  # warm-up
    try:
        return machine.run(lambda: wrk(url, seconds, 32), "reference baseline")
    finally:
        stack.stop("bare-flask")


def current_version(stack: Stack, user: dict) -> int:
    answer = httpx.get(f"{stack.gateway_url}{user['path']}", headers={"Authorization": f"Bearer {user['token']}"},
                       timeout=10)
    answer.raise_for_status()
    return answer.json()["version"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--indicators", type=int, default=31, help="indicators in the campaign's template")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--config", default=f"{Stack.gunicorn_workers}x{Stack.gunicorn_threads}",
                        help="gunicorn workers×threads of every service and the gateway")
    args = parser.parse_args()
    workers, threads = (int(n) for n in args.config.split("x"))
    codes = writable_codes(args.indicators)
    if len(codes) < USERS:
        raise SystemExit(f"--indicators {args.indicators} has only {len(codes)} number indicators; need {USERS}")
    stack = bench_stack(gunicorn_workers=workers, gunicorn_threads=threads)
    machine = Machine(stack)
    try:
        start(stack)
        contracts = Contracts(stack, args.indicators)
        emails = [f"{unique('etab')}@e-cars.test" for _ in range(USERS)]
        create_users(stack, emails)
        own = [contracts.contract_for([email]) for email in emails]  # A: a contract each
        shared = contracts.contract_for(emails)  # B: one contract for all
        tokens = [sign_in(stack.gateway_url, email) for email in emails]
        for token, contract_id in zip(tokens, own, strict=True):
            contracts.wait_for_access(token, contract_id)
            contracts.wait_for_access(token, shared)

        def user(token: dict, contract_id: str, code: str) -> dict:
            return {"path": f"/api/contracts/contracts/{contract_id}/indicators/{code}",
                    "token": token["access_token"], "body": BODIES[(int(code[1:]) - 1) % 6], "version": 0}

        layout_a = [user(token, contract_id, codes[0]) for token, contract_id in zip(tokens, own, strict=True)]
        layout_b = [user(token, shared, code) for token, code in zip(tokens, codes[:USERS], strict=True)]
        base_url = f"http://127.0.0.1:{stack.service_port('contracts')}/health/live"
        wrk(base_url, 2, USERS)  # warm-up
        settle()
        baseline, base_other = machine.run(lambda: wrk(base_url, args.seconds, USERS), "baseline")
        print(f"  baseline: {baseline['rate']:.0f} req/s", flush=True)
        reference, reference_other = reference_baseline(stack, machine, args.seconds)
        print(f"  reference baseline: {reference['rate']:.0f} req/s", flush=True)
        a, a_other = saves(stack, machine, layout_a, args.seconds, "A")
        print(f"  A: {a['rate']:.0f} saves/s", flush=True)
        b, b_other = saves(stack, machine, layout_b, args.seconds, "B")
        print(f"  B: {b['rate']:.0f} saves/s", flush=True)
    finally:
        stack.down()

    print(f"\nSaving an indicator through the gateway, {USERS} concurrent users, {args.seconds:.0f} s each (wrk), "
          f"gunicorn {workers}×{threads}, template of {args.indicators} indicators; {machine_load()}")
    print("                                           req/s    p50 ms   p99 ms   max ms  errors  others' load")
    rows = [("bare Flask JSON route (GET /health/live, direct)", baseline, base_other),
            ("issue's reference: bare Flask, 2 workers, wrk -c32", reference, reference_other),
            ("A. PUT …/indicators/<code>, a contract each", a, a_other),
            ("B. PUT …/indicators/<code>, one contract", b, b_other)]
    for label, result, other in rows:
        print(f"  {label:<49} {result['rate']:7.0f}  {result['p50']:7.1f}  {result['p99']:7.1f}  {result['max']:7.1f}  "
              f"{result['errors']:6d}  {other:.2f} cores")
    scale = reference["rate"] / REFERENCE_RATE
    print(f"  This machine runs the issue's reference route at {reference['rate']:.0f} req/s, {scale:.2f}× the issue's "
          f"≈ {REFERENCE_RATE:,} req/s: its {TARGET} saves/s are {TARGET * scale:.0f} saves/s here.")
    for label, result in (("A", a), ("B", b)):
        statuses = ", ".join(f"{status}: {n}" for status, n in sorted(result["statuses"].items()))
        ok = result["rate"] >= TARGET and result["p99"] < 50 and result["errors"] == 0
        scaled = result["rate"] >= TARGET * min(1.0, scale) and result["errors"] == 0
        print(f"  {label}: ratio to the bare route {result['rate'] / baseline['rate']:.3f}, to the reference route "
              f"{result['rate'] / reference['rate']:.3f} (target {TARGET / REFERENCE_RATE:.3f}); statuses {statuses}"
              f"{'; socket errors ' + str(result['socket_errors']) if result['socket_errors'] else ''}; "
              f"targets ≥ {TARGET} saves/s, p99 < 50 ms, no errors {'✔' if ok else '✘'}; "
              f"scaled to this machine ≥ {TARGET * min(1.0, scale):.0f} saves/s {'✔' if scaled else '✘'}")
        print("     CPU per save (ms): " + ", ".join(f"{name} {ms:.2f}" for name, ms in sorted(
            result["cpu_ms"].items(), key=lambda item: -item[1]) if ms >= 0.005))


if __name__ == "__main__":
    main()
