"""Logins: the cost of our argon2id parameters, the logins per second the machine sustains through the
gateway, and a real user's login time while a password-guessing flood hits the gateway.

1. One argon2id hash (wall and CPU time, median of 20, interleaved): ours (services/auth/passwords.py:
   t=1, m=46 MiB, p=1) against argon2-cffi's defaults (PasswordHasher(): t=3, m=64 MiB, p=4) and the
   OWASP minimum (t=2, m=19 MiB, p=1).
2. POST /api/auth/login through the gateway with distinct users (so the throttle never counts), 8
   connections for 10 s (wrk): logins/s, p50, p99.
3. A real user signs in once a second from one address for 17 s, with no other traffic (the baseline), then
   while a flood of wrong-password logins (32 connections, wrk) runs:
   - "throttled flood": 3 target accounts from 8 addresses 10.0.0.1–8. The throttle slows an account's
     attempts from one address after 5 failures and locks an address after 20; a slowed or locked attempt is
     refused (429) before the
     password is hashed, so after the first 15 hashes the flood costs a query or two per request;
   - "spread flood": every attempt from a new address 10.x.y.z on a new (unknown) email, which the
     throttle cannot lock out: every attempt costs a (dummy) hash. For comparison.
   Reported: the real user's login p50/p99/max (n = 17, so p99 is the worst but one), the flood's rate
   and statuses.

Addresses: every request comes from 127.0.0.1, and the gateway ignores a client's X-Forwarded-For
(ECARS_TRUSTED_PROXIES=0, it is the edge). This bench's gateway runs with ECARS_TRUSTED_PROXIES=1, as
behind one reverse proxy, so that the X-Forwarded-For the bench sends (10.0.0.x for the flood,
198.51.100.7 for the real user) is the client address the throttle sees. They are header values only:
all traffic stays on loopback.

    .venv/bin/python -m bench.login_bench [--seconds 10] [--flood-seconds 20]
"""

import argparse
import statistics
import threading
import time

import httpx
from argon2 import PasswordHasher

from bench.http_stack import (
    PASSWORD,
    Machine,
    bench_stack,
    create_users,
    lua_string,
    machine_load,
    percentile,
    settle,
    sign_in,
    start,
    unique,
    wrk,
)
from services.auth.passwords import HASHER

LOGIN_USERS = 3000
REAL_ADDRESS = "198.51.100.7"
FLOOD_CONNECTIONS = 32

LOGINS_LUA = r"""
local prefix, total, password = %s, %d, %s
local created = 0
function setup(thread)
  created = created + 1
  thread:set("tid", created - 1)
end
function init(args) i = tid * 100000 end
function request()
  i = i + 1
  local body = string.format('{"email": "%%s-%%05d@e-cars.test", "password": "%%s"}', prefix, i %% total, password)
  return wrk.format("POST", "/api/auth/login", {["Content-Type"] = "application/json"}, body)
end
"""

THROTTLED_FLOOD_LUA = r"""
local targets = %s
local created = 0
function setup(thread)
  created = created + 1
  thread:set("tid", created - 1)
end
function init(args) i = tid * 1000 end
function request()
  i = i + 1
  local body = string.format('{"email": "%%s", "password": "Wrong-Guess-%%d!"}', targets[i %% #targets + 1], i)
  return wrk.format("POST", "/api/auth/login", {["Content-Type"] = "application/json",
                                                ["X-Forwarded-For"] = "10.0.0." .. (i %% 8 + 1)}, body)
end
"""

SPREAD_FLOOD_LUA = r"""
local prefix = %s
local created = 0
function setup(thread)
  created = created + 1
  thread:set("tid", created - 1)
end
function init(args) i = 0 end
function request()
  i = i + 1
  local address = string.format("10.%%d.%%d.%%d", tid + 1, math.floor(i / 250) %% 250 + 1, i %% 250 + 1)
  local body = string.format('{"email": "%%s-%%d-%%d@e-cars.test", "password": "Wrong-Guess-%%d!"}', prefix, tid, i, i)
  return wrk.format("POST", "/api/auth/login", {["Content-Type"] = "application/json",
                                                ["X-Forwarded-For"] = address}, body)
end
"""


def hash_times(runs: int = 20) -> dict:
    hashers = {"ours": HASHER, "argon2-cffi defaults": PasswordHasher(),
               "OWASP minimum": PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)}
    times = {name: ([], []) for name in hashers}
    for hasher in hashers.values():
        hasher.hash("warm-up")
    for i in range(runs):
        for name, hasher in hashers.items():
            wall, cpu = time.perf_counter(), time.process_time()
            hasher.hash(f"Ecars-Bench-{i}!x")
            times[name][0].append(time.perf_counter() - wall)
            times[name][1].append(time.process_time() - cpu)
    return {name: {"params": f"t={h.time_cost}, m={h.memory_cost // 1024} MiB, p={h.parallelism}",
                   "wall": statistics.median(times[name][0]), "cpu": statistics.median(times[name][1])}
            for name, h in hashers.items()}


def real_user(gateway: str, email: str, count: int, stop: threading.Event | None = None) -> list[float]:
    """Sign in once a second (on the second, whatever the previous one took); the login times."""
    samples = []
    with httpx.Client(timeout=60, headers={"X-Forwarded-For": REAL_ADDRESS}) as client:
        started = time.monotonic()
        for i in range(count):
            time.sleep(max(0.0, started + i - time.monotonic()))
            t = time.perf_counter()
            answer = client.post(f"{gateway}/api/auth/login", json={"email": email, "password": PASSWORD})
            samples.append(time.perf_counter() - t)
            if answer.status_code != 200:
                raise RuntimeError(f"the real user's login failed: {answer.status_code} {answer.text}")
    return samples


def with_flood(stack, email: str, script: str, seconds: float) -> dict:
    """The flood for `seconds`; the real user starts after 1.5 s and signs in once a second until 1.5 s
    before the flood ends."""
    flood: dict = {}
    thread = threading.Thread(target=lambda: flood.update(
        wrk(f"{stack.gateway_url}/", seconds, FLOOD_CONNECTIONS, threads=2, script=script, timeout="30s")))
    thread.start()
    time.sleep(1.5)
    samples = real_user(stack.gateway_url, email, int(seconds - 3))
    thread.join()
    return {"real": samples, "flood": flood}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10, help="the logins/s run")
    parser.add_argument("--flood-seconds", type=float, default=20, help="each flood run (the real user: that − 3)")
    args = parser.parse_args()
    stack = bench_stack(extra_env={"ECARS_TRUSTED_PROXIES": "1"})
    machine = Machine(stack)

    hashes, hash_other = machine.run(hash_times, "argon2")
    print("argon2id, one hash (median of 20)", flush=True)
    for name, row in hashes.items():
        print(f"  {name:<22} {row['params']:<22} wall {row['wall'] * 1000:6.1f} ms   CPU {row['cpu'] * 1000:6.1f} ms",
              flush=True)
    try:
        start(stack)
        prefix = unique("login")
        create_users(stack, [f"{prefix}-{i:05d}@e-cars.test" for i in range(LOGIN_USERS)])
        targets = [f"{unique('target')}@e-cars.test" for _ in range(3)]
        real = f"{unique('real')}@e-cars.test"
        create_users(stack, [*targets, real])
        sign_in(stack.gateway_url, real)
        script = LOGINS_LUA % (lua_string(prefix), LOGIN_USERS, lua_string(PASSWORD))
        wrk(f"{stack.gateway_url}/", 2, 8, threads=2, script=script)  # warm-up
        settle()
        logins, logins_other = machine.run(lambda: wrk(f"{stack.gateway_url}/", args.seconds, 8, threads=2,
                                                       script=script, timeout="30s"), "logins/s")
        print(f"  {logins['rate']:.1f} logins/s", flush=True)
        settle(3)
        alone, alone_other = machine.run(lambda: real_user(stack.gateway_url, real, int(args.flood_seconds - 3)),
                                         "real user alone")
        print(f"  real user alone: p50 {percentile(alone, 50) * 1000:.0f} ms", flush=True)
        settle(3)
        lua_targets = "{" + ", ".join(lua_string(t) for t in targets) + "}"
        throttled, throttled_other = machine.run(
            lambda: with_flood(stack, real, THROTTLED_FLOOD_LUA % lua_targets, args.flood_seconds), "throttled flood")
        print(f"  real user, throttled flood: p50 {percentile(throttled['real'], 50) * 1000:.0f} ms", flush=True)
        settle(5)
        spread, spread_other = machine.run(
            lambda: with_flood(stack, real, SPREAD_FLOOD_LUA % lua_string(unique("nobody")), args.flood_seconds),
            "spread flood")
        print(f"  real user, spread flood: p50 {percentile(spread['real'], 50) * 1000:.0f} ms", flush=True)
    finally:
        stack.down()

    print(f"\nLogins; gunicorn {stack.gunicorn_workers}×{stack.gunicorn_threads}; {machine_load()}")
    print(f"1. argon2id, one hash, median of 20 (others' load {hash_other:.2f} cores)")
    ours = hashes["ours"]
    for name, row in hashes.items():
        print(f"   {name:<22} {row['params']:<22} wall {row['wall'] * 1000:6.1f} ms   CPU {row['cpu'] * 1000:6.1f} ms"
              f"   wall ratio to ours {row['wall'] / ours['wall']:5.2f}")
    print(f"2. POST /api/auth/login, distinct users, 8 connections, {args.seconds:.0f} s (wrk): "
          f"{logins['rate']:.1f} logins/s, p50 {logins['p50']:.0f} ms, p99 {logins['p99']:.0f} ms, "
          f"errors {logins['errors']} (others' load {logins_other:.2f} cores); one hash alone bounds it at "
          f"{2 / ours['cpu']:.0f}/s on 2 cores")
    print(f"3. a real user signing in once a second from {REAL_ADDRESS} (ms)")
    print("                                   n    p50     p99     max    flood req/s   flood statuses   others' load")
    rows = [("alone (baseline)", alone, None, alone_other),
            ("throttled flood, 32 connections", throttled["real"], throttled["flood"], throttled_other),
            ("spread flood, 32 connections", spread["real"], spread["flood"], spread_other)]
    for label, samples, flood, other in rows:
        flood_text = "" if flood is None else (
            f"{flood['rate']:10.0f}    " + ", ".join(f"{s}: {n}" for s, n in sorted(flood["statuses"].items())))
        print(f"   {label:<31} {len(samples):3d}  {percentile(samples, 50) * 1000:6.0f}  "
              f"{percentile(samples, 99) * 1000:6.0f}  {max(samples) * 1000:6.0f}   {flood_text:<34} {other:.2f} cores")
    print(f"   p99 ratio throttled flood / alone: {percentile(throttled['real'], 99) / percentile(alone, 99):.1f}×; "
          f"spread flood / alone: {percentile(spread['real'], 99) / percentile(alone, 99):.1f}×")


if __name__ == "__main__":
    main()
