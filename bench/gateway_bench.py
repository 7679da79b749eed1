"""Gateway: what routing a request through it costs, against the same request straight to the service,
measured in the same run, for one or more gunicorn settings of the gateway and the contracts service.

1. Added latency: GET /health/live of the contracts service, straight to its port vs through the
   gateway (/api/contracts/health/live), one request at a time on a keep-alive connection (http.client),
   2,000 each in alternating blocks of 200 so that whatever else the machine does hits both alike.
   Target: the gateway adds ≤ 1 ms at p50.
2. Opening a 300-indicator contract (GET /contracts/<id> as the establishment user; half the indicators
   answered) at 8 concurrent keep-alive connections for 10 s each (wrk), straight vs through the gateway.
   Targets: gateway ≥ 0.6× the direct req/s, p99 < 100 ms.

    .venv/bin/python -m bench.gateway_bench [--configs 2x4,3x4,2x8,4x2] [--seconds 10]

`--configs`: workers×threads given to the gateway's and the contracts service's gunicorn in turn (the
other services keep the first); the default is the Stack's. Everything shares the machine's 2 cores
with the load generator."""

import argparse
import http.client
import statistics
import time

from bench.http_stack import (
    Contracts,
    Machine,
    bearer,
    bench_stack,
    create_users,
    good_answers,
    machine_load,
    percentile,
    restart_web,
    serve,
    settle,
    sign_in,
    start,
    unique,
    wrk,
)
from deploy.localstack import Stack

INDICATORS = 300
SEQUENTIAL = 2000
BLOCK = 200
BARE_HOP_PORT = 15090


def sequential(port: int, path: str, count: int) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    samples = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
            samples.append(time.perf_counter() - started)
            assert answer.status == 200, answer.status
    finally:
        connection.close()
    return samples


def start_bare_hop(stack: Stack) -> None:
    """bench/bare_hop.py on BARE_HOP_PORT, relaying to the contracts service, with the gateway's gunicorn settings."""
    env = {**stack.env(), "BARE_HOP_UPSTREAM": f"http://127.0.0.1:{stack.service_port('contracts')}"}
    serve(stack, "bare-hop", stack.gunicorn("bench.bare_hop:app", BARE_HOP_PORT),
          f"http://127.0.0.1:{BARE_HOP_PORT}/health/live", env=env)


def added_latency(stack: Stack, machine: Machine) -> tuple[dict, float]:
    """/health/live straight to the service, through the gateway, and through the bare hop, in alternating blocks."""
    paths = {"direct": (stack.service_port("contracts"), "/health/live"),
             "gateway": (stack.gateway_port, "/api/contracts/health/live"),
             "bare": (BARE_HOP_PORT, "/health/live")}
    for port, path in paths.values():
        sequential(port, path, 100)  # warm-up: connections, pools, code paths

    def run() -> dict:
        samples = {name: [] for name in paths}
        for _ in range(SEQUENTIAL // BLOCK):
            for name, (port, path) in paths.items():
                samples[name] += sequential(port, path, BLOCK)
        return samples

    return machine.run(run, "sequential /health/live")


def warm_up(stack: Stack, contract_id: str, tokens: dict) -> None:
    """Every worker of both processes through both paths, so that no first request is measured."""
    for url in (f"http://127.0.0.1:{stack.service_port('contracts')}/health/live",
                f"{stack.gateway_url}/api/contracts/health/live",
                f"http://127.0.0.1:{stack.service_port('contracts')}/contracts/{contract_id}",
                f"{stack.gateway_url}/api/contracts/contracts/{contract_id}"):
        wrk(url, 2, 8, headers=bearer(tokens))


def open_contract(stack: Stack, machine: Machine, contract_id: str, tokens: dict, seconds: float) -> dict:
    headers = bearer(tokens)
    direct_url = f"http://127.0.0.1:{stack.service_port('contracts')}/contracts/{contract_id}"
    gateway_url = f"{stack.gateway_url}/api/contracts/contracts/{contract_id}"
    direct, direct_other = machine.run(lambda: wrk(direct_url, seconds, 8, headers=headers), "contract direct")
    settle()
    gateway, gateway_other = machine.run(lambda: wrk(gateway_url, seconds, 8, headers=headers), "contract gateway")
    return {"direct": direct, "gateway": gateway, "other": max(direct_other, gateway_other)}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=f"{Stack.gunicorn_workers}x{Stack.gunicorn_threads}",
                        help="gunicorn workers×threads for gateway and contracts, comma-separated")
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    configs = [tuple(int(n) for n in item.split("x")) for item in args.configs.split(",")]
    stack = bench_stack(gunicorn_workers=configs[0][0], gunicorn_threads=configs[0][1])
    machine = Machine(stack)
    results = []
    try:
        start(stack)
        contracts = Contracts(stack, INDICATORS)
        email = f"{unique('etab')}@e-cars.test"
        create_users(stack, [email])
        contract_id = contracts.contract_for([email])
        tokens = sign_in(stack.gateway_url, email)
        contracts.wait_for_access(tokens, contract_id)
        for i in range(1, INDICATORS + 1, 2):  # half the indicators answered: mixed dots, a real fill %
            code = f"I{i:03d}"
            contracts.save(tokens, contract_id, code, good_answers(code), 0)
        print(f"Contract {contract_id}: {INDICATORS} indicators, {INDICATORS // 2} answered. {machine_load()}",
              flush=True)
        for workers, threads in configs:
            if (workers, threads) != (stack.gunicorn_workers, stack.gunicorn_threads):
                restart_web(stack, ["gateway", "contracts"], workers, threads)
            start_bare_hop(stack)
            warm_up(stack, contract_id, tokens)
            settle(3)
            latency, latency_other = added_latency(stack, machine)
            latency["other"] = latency_other
            settle()
            opening = open_contract(stack, machine, contract_id, tokens, args.seconds)
            results.append(((workers, threads), latency, opening))
            d, g = opening["direct"], opening["gateway"]
            print(f"  {workers}×{threads}: health p50 direct {ms(percentile(latency['direct'], 50))} ms, gateway "
                  f"{ms(percentile(latency['gateway'], 50))} ms, bare hop {ms(percentile(latency['bare'], 50))} ms; "
                  f"contract {d['rate']:.0f} req/s direct, "
                  f"{g['rate']:.0f} req/s gateway (p99 {g['p99']:.1f} ms). {machine_load()}", flush=True)
    finally:
        stack.down()

    print(f"\nGateway, gunicorn gthread workers×threads for gateway and contracts; {machine_load()}")
    print(f"1. GET /health/live one at a time, keep-alive, {SEQUENTIAL} each (ms); baseline: the same through one bare "
          "Python proxy hop (bench/bare_hop.py, pooled httpx, same gunicorn settings)")
    print("   config   direct p50   p99     gateway p50   p99     added p50   target ≤ 1 ms   bare hop p50  adds   "
          "gateway/bare   others' load")
    for (workers, threads), latency, _ in results:
        direct, gateway, bare = latency["direct"], latency["gateway"], latency["bare"]
        added = percentile(gateway, 50) - percentile(direct, 50)
        bare_added = percentile(bare, 50) - percentile(direct, 50)
        print(f"   {workers}×{threads:<5}  {ms(percentile(direct, 50))}    {ms(percentile(direct, 99))}   "
              f"{ms(percentile(gateway, 50))}     {ms(percentile(gateway, 99))}   {ms(added)}      "
              f"{'✔' if added <= 0.001 else '✘'}             {ms(percentile(bare, 50))}     {ms(bare_added)}   "
              f"{added / bare_added:5.2f}          {latency['other']:.2f} cores   (means "
              f"{ms(statistics.mean(direct))} / {ms(statistics.mean(gateway))} / {ms(statistics.mean(bare))})")
    print(f"2. GET /contracts/<id> ({INDICATORS} indicators), 8 connections, {args.seconds:.0f} s each (wrk)")
    print("   config   direct req/s  p50     p99      gateway req/s  p50     p99      ratio   errors  "
          "target ≥ 0.6×, p99 < 100 ms   others' load")
    for (workers, threads), _, opening in results:
        d, g = opening["direct"], opening["gateway"]
        ratio = g["rate"] / d["rate"]
        ok = ratio >= 0.6 and g["p99"] < 100
        print(f"   {workers}×{threads:<5}  {d['rate']:8.0f}    {d['p50']:6.1f}  {d['p99']:6.1f}   {g['rate']:8.0f}     "
              f"{g['p50']:6.1f}  {g['p99']:6.1f}   {ratio:5.2f}   {d['errors'] + g['errors']:5d}   "
              f"{'✔' if ok else '✘'}                             {opening['other']:.2f} cores")


if __name__ == "__main__":
    main()
