"""Region scale (issue 21): does a page cost what it shows, whatever the size of the region?

Three regions of one database hold 40, 400 and 4,000 EJs (bench/scale_seed.py: one contract each in the region's
50-indicator campaign, about half answered; one EJ in ten with a CPOM of 20 objectives × 4 indicators × 5 ETs).
The bench times, through the gateway and one request at a time (median of `--requests` after 3 warm-ups), the
pages an ARS, an établissement user (3 EJs) and the support team open: the web home list
« Gestion des Contrats » (first page, last page, a search), the campaign page (first page, filtered), the API's
campaign progress and EJ list, the EJ page, a contract, its indicators, an indicator's entry page, the CPOM sheet
and the support dashboards; the gateway's bare relay (/api/contracts/health/live) is the baseline. The sizes are
measured side by side, request after request in turn (40, 400, 4,000, 40, …), so that the load other work puts
on the shared machine weighs on each size alike. It prints each median and its ratio 4,000 vs 40 EJs, with the
verdict: a paged page must stay within 1.5× of its time at 40 EJs and under 100 ms. Then, at 4,000 EJs, the
EXPLAIN ANALYZE of the lists' statements (bench/scale_explain.py).

    .venv/bin/python -m bench.scale_bench [--sizes 40,400,4000] [--requests 15] [--no-explain]

Own slot: gateway 17080, services 17181…17186, SMTP 17025/17026, database `ecars_bench_scale`, exchange
`ecars.events.benchscale`, queues `benchscale.*`, bucket `ecars-bench-scale`.
"""

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from bench.http_stack import PASSWORD, bearer, bench_stack, create_users, machine_load, unique
from bench.scale_explain import explain
from bench.scale_seed import REGIONS, Region

WARM_UPS = 3
TARGET_RATIO, TARGET_MS = 1.5, 100.0


def web_client(gateway: str, email: str) -> httpx.Client:
    client = httpx.Client(base_url=gateway, timeout=60)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/connexion").text).group(1)
    answer = client.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": csrf})
    assert answer.status_code in (302, 303), answer.text
    return client


def cursors(region: Region, path: str, params: dict) -> tuple[str, str]:
    """The cursors of a list's « Dernière page » and of the page before it (« Page précédente » from the last): the
    links a person follows to the end of the list."""
    def listing(**more) -> dict:
        answer = httpx.get(f"{region.gateway}{path}", params={**params, **more}, headers=bearer(region.ars), timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()
    last = listing()["last"]
    return last, listing(cursor=last)["previous"]


def pages(region: Region) -> list[tuple[str, str, str, bool]]:
    """(page, who, path, paged?) — paged: a list whose rows are a page of the region; the others are scoped to
    one EJ, contract or CPOM. Deep pages as the pager links them: « Dernière page » and the page before it
    (for 4,000 EJs, page 200 and page 199; for 40, pages 2 and 1), by their cursors."""
    campaign = f"/campagnes/{region.campaign_id}"
    progress = f"/api/contracts/campaigns/{region.campaign_id}/progress"
    ej_last, ej_before = cursors(region, "/api/cpom/ej", {"sort": "raison_sociale"})
    contracts_last, contracts_before = cursors(region, progress, {})
    contract = region.contracts[1]  # 37 of its 50 indicators answered
    last = -(-region.size // 20)
    return [
        ("baseline: gateway relay /api/contracts/health/live", "api", "/api/contracts/health/live", False),
        ("/accueil (ARS), page 1", "ars", "/accueil", True),
        ("/accueil (ARS), last page (cursor)", "ars", f"/accueil?sort=raison_sociale&cursor={ej_last}", True),
        ("/accueil (ARS), page before the last (cursor)", "ars", f"/accueil?sort=raison_sociale&cursor={ej_before}",
         True),
        ("/accueil (ARS), page 5 by number (2 at 40 EJ)", "ars", f"/accueil?sort=raison_sociale&page={min(5, last)}",
         True),
        ("/accueil (ARS), Rechercher a FINESS", "ars", f"/accueil?q={region.finess(region.size // 2)}", True),
        ("/accueil (établissement, 3 EJ)", "member", "/accueil", True),
        ("campaign page, page 1", "ars", campaign, True),
        ("campaign page, last page (cursor)", "ars", f"{campaign}?cursor={contracts_last}", True),
        ("campaign page, page before the last (cursor)", "ars", f"{campaign}?cursor={contracts_before}", True),
        ("campaign page, filtered and sorted", "ars",
         f"{campaign}?status=AUTO-EVALUATION&fill_min=20&fill_max=80&departement={region.departements[1]}"
         "&sort=-fill_percentage", True),
        ("API progress, page 1", "api", progress, True),
        ("API progress, search « CAEN »", "api", f"{progress}?search=CAEN&sort=fill_percentage", True),
        ("API cpom /ej, page 1", "api", "/api/cpom/ej?sort=raison_sociale", True),
        ("EJ page /ej/<finess> (contract + CPOM)", "ars", f"/ej/{region.finess(0)}", False),
        ("contract /contrats/<id>", "member", f"/contrats/{contract}", False),
        ("indicators /contrats/<id>/indicateurs", "member", f"/contrats/{contract}/indicateurs", False),
        ("indicator entry …/indicateurs/I001", "member", f"/contrats/{contract}/indicateurs/I001", False),
        ("CPOM sheet /cpom/<id>", "ars", f"/cpom/{region.cpoms[0]}", False),
        ("support dashboard contracts", "support", "/support/contracts/", False),
        ("support dashboard cpom", "support", "/support/cpom/", False),
    ]


def timed_ms(client: httpx.Client, path: str, headers: dict | None) -> float:
    started = time.perf_counter()
    answer = client.get(path, headers=headers)
    elapsed = (time.perf_counter() - started) * 1000
    assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
    return elapsed


def measure(regions: list[Region], requests: int) -> list[dict[str, float]]:
    """Each page's median at each size, the sizes taken in turn request after request."""
    gateway = regions[0].gateway
    support = web_client(gateway, regions[0].support_email)
    clients = [{"ars": web_client(gateway, r.ars_email), "member": web_client(gateway, r.member_email),
                "support": support, "api": httpx.Client(base_url=gateway, timeout=60)} for r in regions]
    figures: list[dict[str, float]] = [{} for _ in regions]
    lists = [pages(region) for region in regions]
    for n, (name, who, _, _) in enumerate(lists[0]):
        times: list[list[float]] = [[] for _ in regions]
        for repeat in range(WARM_UPS + requests):
            for k, region in enumerate(regions):
                elapsed = timed_ms(clients[k][who], lists[k][n][2], bearer(region.ars) if who == "api" else None)
                if repeat >= WARM_UPS:
                    times[k].append(elapsed)
        for k in range(len(regions)):
            figures[k][name] = statistics.median(times[k])
        print("  " + " ".join(f"{figures[k][name]:8.1f}" for k in range(len(regions))) + f" ms  {name}", flush=True)
    for client in [c for per_region in clients for c in per_region.values()]:
        client.close()
    return figures


def verdict(paged: bool, small: float, large: float) -> str:
    ratio = large / small
    if not paged:
        return "flat (scoped to one EJ, contract or CPOM)" if ratio <= TARGET_RATIO else f"grows ×{ratio:.1f}"
    if ratio <= TARGET_RATIO and large < TARGET_MS:
        return "flat: within target"
    return f"OUT OF TARGET (×{ratio:.2f}, {large:.0f} ms)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="40,400,4000")
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--no-explain", action="store_true")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    stack = bench_stack(state_dir=Path(tempfile.gettempdir()) / "ecars-bench-scale", database="ecars_bench_scale",
                        gateway_port=17080, first_service_port=17181, smtp_port=17025, mail_web_port=17026,
                        exchange="ecars.events.benchscale", queue_prefix="benchscale.", s3_bucket="ecars-bench-scale")
    print(f"Starting the system on :{stack.gateway_port} (logs in {stack.log_dir})…", flush=True)
    try:
        stack.up(fresh_database=True)
        support_email = f"{unique('support')}@e-cars.test"
        create_users(stack, [support_email], role="support")
        regions = []
        for size, (name, departements) in zip(sizes, REGIONS, strict=False):
            started = time.monotonic()
            region = Region(stack, name, departements, support_email)
            region.grow(size)
            regions.append(region)
            print(f"{size} EJs in {name}: seeded in {time.monotonic() - started:.0f} s", flush=True)
        print(f"\nMeasuring ({machine_load()}); medians in ms at " + ", ".join(f"{s} EJ" for s in sizes), flush=True)
        results = measure(regions, args.requests)
        print(f"After measuring: {machine_load()}")
        small, large = sizes[0], sizes[-1]
        print(f"\nMedians (ms) through the gateway, {args.requests} requests each; ratio {large} vs {small}")
        print("| page | " + " | ".join(f"{size} EJ" for size in sizes) + f" | {large}/{small} | verdict |")
        print("|---|" + "---|" * (len(sizes) + 2))
        failed = 0
        for name, _, _, paged in pages(regions[0]):
            row = [figures[name] for figures in results]
            judged = verdict(paged, row[0], row[-1]) if not name.startswith("baseline") else "baseline"
            failed += judged.startswith("OUT")
            print(f"| {name} | " + " | ".join(f"{value:.1f}" for value in row)
                  + f" | ×{row[-1] / row[0]:.2f} | {judged} |")
        print(f"\n{failed} paged page(s) out of target ({TARGET_RATIO}× and {TARGET_MS:.0f} ms).")
        if not args.no_explain:
            explain(stack, regions[-1])
    finally:
        stack.down()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
