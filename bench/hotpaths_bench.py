"""Where the time of a save and of opening a contract goes, without HTTP between the client and the
process measured: the Flask test client in this process, one request at a time, against the bench stack's
database (and, for the gateway, its running contracts service).

For each path it prints the mean, p50, p99 and max time, the CPU per request, two counts that do not move
with the machine's load — SQL statements per request and Python function calls per request (cProfile, over
50 more requests) — and the full (generation 2) garbage collections with their longest pause:
  - contracts: GET /contracts/<id> (300 indicators, 150 answered) and PUT …/indicators/I001 (31-indicator
    template), straight into the contracts app;
  - gateway:   the same PUT and GET /api/contracts/health/live into the gateway app, which relays them to the
    stack's contracts service (only the gateway's own CPU is counted: the service is another process).
CPU figures grow with whatever else runs on the machine (caches, contention); the counts do not, which is
what makes them useful on a shared machine.

    .venv/bin/python -m bench.hotpaths_bench [--requests 400]
"""

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import subprocess
import sys
import time

from bench.http_stack import (
    Contracts,
    Machine,
    bench_stack,
    create_users,
    good_answers,
    machine_load,
    sign_in,
    start,
    unique,
)

PATHS = ["contracts open", "contracts save", "gateway save", "gateway health"]


def by_library(stats: pstats.Stats, calls: int) -> dict[str, float]:
    """Own time (ms per request) of the functions of each library: the first folder under site-packages,
    the project's top folder, or "python" for the standard library and built-ins."""
    shares: dict[str, float] = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        if "site-packages/" in filename:
            library = filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
        elif filename.startswith(os.getcwd() + "/"):
            library = "/".join(filename.removeprefix(os.getcwd() + "/").split("/")[:2]).removesuffix(".py")
        else:
            library = "python"
        shares[library] = shares.get(library, 0.0) + tottime * 1000 / calls
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def measure(setup: dict, count: int) -> dict:
    """In a fresh process (see main): both apps, warm-up, then `count` requests of each path."""
    os.environ.update(setup["env"])
    import sqlalchemy as sa

    from gateway.app import create_app as create_gateway
    from services.contracts.app import create_app as create_contracts

    contracts_app = create_contracts()
    statements = [0]
    sa.event.listen(contracts_app.extensions["db"].engine, "before_cursor_execute",
                    lambda *_: statements.__setitem__(0, statements[0] + 1))
    service, gateway = contracts_app.test_client(), create_gateway().test_client()
    headers = {"Authorization": f"Bearer {setup['token']}"}
    view = f"/contracts/{setup['view_contract']}"
    versions = {}

    def saver(client, path: str):
        versions[path] = client.get(path, headers=headers).json["version"]

        def save(n: int) -> None:
            answer = client.put(path, headers=headers, json={"version": versions[path], "answers": {"REALISE": n},
                                                             "comment": ""})
            assert answer.status_code == 200, answer.data
            versions[path] = answer.json["version"]
        return save

    def open_contract(_: int) -> None:
        assert service.get(view, headers=headers).status_code == 200

    def health(_: int) -> None:
        assert gateway.get("/api/contracts/health/live").status_code == 200

    calls = {"contracts open": open_contract,
             "contracts save": saver(service, f"/contracts/{setup['save_contract']}/indicators/I001"),
             "gateway save": saver(gateway, f"/api/contracts/contracts/{setup['gateway_contract']}/indicators/I001"),
             "gateway health": health}
    for call in calls.values():
        for i in range(30):
            call(i)
    pauses: list[float] = []
    started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                pauses.append(time.perf_counter() - started[0])

    results = {}
    for name, call in calls.items():
        pauses.clear()
        statements[0] = 0
        gc.callbacks.append(on_gc)
        samples, cpu = [], time.process_time()
        for i in range(count):
            t = time.perf_counter()
            call(1000 + i)
            samples.append(time.perf_counter() - t)
        cpu = time.process_time() - cpu
        gc.callbacks.remove(on_gc)
        sql = statements[0] / count
        profile = cProfile.Profile(time.process_time)  # CPU, not waits on sockets
        profile.enable()
        for i in range(50):
            call(50_000 + i)
        profile.disable()
        if setup.get("dump"):
            profile.dump_stats(os.path.join(setup["dump"], name.replace(" ", "_") + ".pstats"))
        samples.sort()
        results[name] = {"mean": statistics.mean(samples), "p50": samples[len(samples) // 2],
                         "p99": samples[int(len(samples) * 0.99)], "max": samples[-1], "cpu": cpu / count,
                         "sql": sql, "python_calls": pstats.Stats(profile).total_calls / 50,
                         "libraries": by_library(pstats.Stats(profile), 50),
                         "full_gcs": len(pauses), "gc_max": max(pauses, default=0.0)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--dump", metavar="DIR", help="write each path's CPU profile there (<path>.pstats)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup = json.loads(sys.stdin.read())
        print("RESULT " + json.dumps(measure(setup, args.requests)))
        return

    stack = bench_stack()
    machine = Machine(stack)
    try:
        start(stack)
        big, small = Contracts(stack, 300), Contracts(stack, 31)
        email = f"{unique('etab')}@e-cars.test"
        create_users(stack, [email])
        view_contract = big.contract_for([email])
        save_contract, gateway_contract = small.contract_for([email]), small.contract_for([email])
        tokens = sign_in(stack.gateway_url, email)
        for contracts, contract_id in ((big, view_contract), (small, save_contract), (small, gateway_contract)):
            contracts.wait_for_access(tokens, contract_id)
        for i in range(1, 301, 2):
            code = f"I{i:03d}"
            big.save(tokens, view_contract, code, good_answers(code), 0)
        env = {key: value for key, value in stack.env().items() if key.startswith("ECARS_")}
        env["ECARS_LOG_LEVEL"] = "WARNING"
        setup = json.dumps({"env": env, "token": tokens["access_token"], "view_contract": view_contract,
                            "save_contract": save_contract, "gateway_contract": gateway_contract,
                            "dump": os.path.abspath(args.dump) if args.dump else None})

        def child() -> dict:
            done = subprocess.run([sys.executable, "-m", "bench.hotpaths_bench", "--child",
                                   "--requests", str(args.requests)], input=setup, capture_output=True,
                                  text=True, timeout=600)
            line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                raise RuntimeError(done.stdout + done.stderr)
            return json.loads(line.removeprefix("RESULT "))

        results, other = machine.run(child, "hot paths")
    finally:
        stack.down()

    print(f"\nIn-process, Flask test client, one request at a time, {args.requests} each (ms); {machine_load()}; "
          f"others' load {other:.2f} cores")
    print("  path              mean     p50     p99      max   CPU/req   SQL/req  Python calls/req  full GCs  longest")
    for name in PATHS:
        r = results[name]
        print(f"  {name:<15} {r['mean'] * 1000:7.2f} {r['p50'] * 1000:7.2f} {r['p99'] * 1000:7.2f} "
              f"{r['max'] * 1000:8.2f}  {r['cpu'] * 1000:7.2f}   {r['sql']:6.1f}   {r['python_calls']:10.0f}      "
              f"{r['full_gcs']:6d}  {r['gc_max'] * 1000:7.1f}")
    print("\nOwn CPU time under cProfile by library (ms per request; the profiler inflates small calls):")
    for name in PATHS:
        print(f"  {name:<15} " + ", ".join(f"{library} {ms:.2f}" for library, ms in results[name]["libraries"].items()
                                          if ms >= 0.02))


if __name__ == "__main__":
    main()
