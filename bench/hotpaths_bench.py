"""Where the contracts service's time goes (the profile behind the gateway and writes figures), as
service time without HTTP: the Flask test client in this process, one request at a time, against the
bench stack's database and auth (for the token keys).

For opening a 300-indicator contract and for saving an indicator, it prints the mean, p50, p99 and
max time, the CPU per request, and the full (generation 2) garbage collections with their longest
pause — as the code is, then with what-ifs applied in the bench process only (monkeypatches, nothing in
the services changes):
  - table:     ecars_common.habilitations builds its Table once per schema instead of at every
               grant_of() (a new Table is a new SQLAlchemy statement-cache key, so every lookup is
               compiled again, and the cache fills with garbage that full collections must walk);
  - validator: ecars_common.events validates with a validator built once per schema instead of
               jsonschema.validate(), which checks the schema itself against the metaschema every time;
  - freeze:    gc.freeze() after warm-up (what a gunicorn post_fork / post_worker_init hook would do),
               so full collections skip the objects of the imported code.

    .venv/bin/python -m bench.hotpaths_bench [--requests 400]
"""

import argparse
import gc
import json
import os
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

VARIANTS = ["as is", "table", "validator", "table+validator", "table+validator+freeze"]


def apply(variant: str) -> None:
    if "table" in variant:
        import sqlalchemy as sa

        from ecars_common import habilitations

        define, tables = habilitations.define_table, {}

        def define_table(metadata: sa.MetaData) -> sa.Table:
            if metadata.schema not in tables:
                tables[metadata.schema] = define(sa.MetaData(schema=metadata.schema))
            return tables[metadata.schema]

        habilitations.define_table = define_table
    if "validator" in variant:
        import jsonschema

        from ecars_common import events

        validators = {}

        def validate(instance, schema) -> None:
            validator = validators.get(id(schema))
            if validator is None:
                cls = jsonschema.validators.validator_for(schema)
                cls.check_schema(schema)
                validator = validators[id(schema)] = cls(schema)
            error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
            if error is not None:
                raise error

        events.jsonschema = type("jsonschema", (), {"validate": staticmethod(validate),
                                                    "ValidationError": jsonschema.ValidationError})


def measure(variant: str, setup: dict, count: int) -> dict:
    """In a fresh process (see main): the app, warm-up, then `count` requests of each kind."""
    os.environ.update(setup["env"])
    apply(variant)
    from services.contracts.app import create_app

    client = create_app().test_client()
    headers = {"Authorization": f"Bearer {setup['token']}"}
    view = f"/contracts/{setup['view_contract']}"
    indicator = f"/contracts/{setup['save_contract']}/indicators/I001"
    version = client.get(indicator, headers=headers).json["version"]

    def open_contract(_: int) -> None:
        assert client.get(view, headers=headers).status_code == 200

    def save(n: int) -> None:
        nonlocal version
        answer = client.put(indicator, headers=headers, json={"version": version, "answers": {"REALISE": n},
                                                              "comment": ""})
        assert answer.status_code == 200, answer.data
        version = answer.json["version"]

    for i in range(30):
        open_contract(i)
        save(i)
    if "freeze" in variant:
        gc.collect()
        gc.freeze()
    pauses: list[float] = []
    started = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if info["generation"] == 2:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                pauses.append(time.perf_counter() - started[0])

    results = {}
    for name, call in (("open", open_contract), ("save", save)):
        pauses.clear()
        gc.callbacks.append(on_gc)
        samples, cpu = [], time.process_time()
        for i in range(count):
            t = time.perf_counter()
            call(1000 + i)
            samples.append(time.perf_counter() - t)
        cpu = time.process_time() - cpu
        gc.callbacks.remove(on_gc)
        samples.sort()
        results[name] = {"mean": statistics.mean(samples), "p50": samples[len(samples) // 2],
                         "p99": samples[int(len(samples) * 0.99)], "max": samples[-1], "cpu": cpu / count,
                         "full_gcs": len(pauses), "gc_max": max(pauses, default=0.0)}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup = json.loads(sys.stdin.read())
        print("RESULT " + json.dumps(measure(args.child, setup, args.requests)))
        return

    stack = bench_stack()
    machine = Machine(stack)
    results = {}
    try:
        start(stack)
        big, small = Contracts(stack, 300), Contracts(stack, 31)
        email = f"{unique('etab')}@e-cars.test"
        create_users(stack, [email])
        view_contract, save_contract = big.contract_for([email]), small.contract_for([email])
        tokens = sign_in(stack.gateway_url, email)
        big.wait_for_access(tokens, view_contract)
        small.wait_for_access(tokens, save_contract)
        for i in range(1, 301, 2):
            code = f"I{i:03d}"
            big.save(tokens, view_contract, code, good_answers(code), 0)
        env = {key: value for key, value in stack.env().items() if key.startswith("ECARS_")}
        env["ECARS_LOG_LEVEL"] = "WARNING"
        setup = json.dumps({"env": env, "token": tokens["access_token"], "view_contract": view_contract,
                            "save_contract": save_contract})
        for variant in VARIANTS:
            def child(variant: str = variant) -> dict:
                done = subprocess.run([sys.executable, "-m", "bench.hotpaths_bench", "--child", variant,
                                       "--requests", str(args.requests)], input=setup, capture_output=True,
                                      text=True, timeout=600)
                line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
                if line is None:
                    raise RuntimeError(done.stdout + done.stderr)
                return json.loads(line.removeprefix("RESULT "))

            results[variant] = machine.run(child, variant)
            print(f"  {variant}: done", flush=True)
    finally:
        stack.down()

    print(f"\nContracts service time in-process (Flask test client, one at a time, {args.requests} each; ms); "
          f"{machine_load()}")
    for name, title in (("open", "GET /contracts/<id>, 300 indicators (150 answered)"),
                        ("save", "PUT /contracts/<id>/indicators/I001, 31-indicator template")):
        print(f"  {title}")
        print("    variant                     mean     p50     p99      max    CPU/req   full GCs  longest  others")
        for variant, (result, other) in results.items():
            r = result[name]
            print(f"    {variant:<24} {r['mean'] * 1000:7.1f} {r['p50'] * 1000:7.1f} {r['p99'] * 1000:7.1f} "
                  f"{r['max'] * 1000:8.1f}  {r['cpu'] * 1000:7.1f}   {r['full_gcs']:6d}  {r['gc_max'] * 1000:7.1f}  "
                  f"{other:.2f}")


if __name__ == "__main__":
    main()
