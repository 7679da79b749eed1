"""The plans of the region-scale lists (bench/README.md « Region scale »): each list's statements, as the services
run them, captured in this process (the services' own functions on the bench database), then run again under
EXPLAIN ANALYZE. What to look for: every filter and sort on an index, and a LIMIT that stops after the page."""

from collections.abc import Callable

import psycopg
from sqlalchemy import Connection, create_engine, event

from bench.scale_seed import Region
from deploy.localstack import Stack
from ecars_common import keyset, payload
from ecars_common.tokens import Identity
from services.contracts import progress
from services.cpom import organisations


def captured(engine, run: Callable[[Connection], object]) -> list[tuple[str, object]]:
    seen = []

    def hook(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", hook)
    try:
        with engine.begin() as conn:
            run(conn)
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    return seen


def user_id(stack: Stack, email: str) -> str:
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{stack.database}") as conn:
        return str(conn.execute("SELECT id FROM auth.users WHERE email = %s", (email,)).fetchone()[0])


def cases(stack: Stack, region: Region) -> list[tuple[str, Callable[[Connection], object]]]:
    ars = Identity(user_id(stack, region.ars_email), region.ars_email, "ars", region=region.name)
    cd = Identity(user_id(stack, region.ars_email), "cd@e-cars.test", "cd", departement=region.departements[0])
    member = Identity(user_id(stack, region.member_email), region.member_email, "etablissement")
    campaign = region.campaign_id
    middle = region.finess(region.size // 2)
    pages = -(-region.size // keyset.PAGE_SIZE)
    last = keyset.Cursor(keyset.LAST, pages)

    def before_last(listing: Callable[[keyset.Cursor], dict], bound_to: str, key_type: type, id_ok) -> keyset.Cursor:
        """The cursor of « Page précédente » on the last page."""
        return keyset.decode(listing(last)["previous"], bound_to, key_type, id_ok)

    def ej_page(c: Connection, cursor: keyset.Cursor) -> dict:
        return organisations.list_ej(c, ars, "raison_sociale", False, 1, None, cursor)

    def campaign_page(c: Connection, cursor: keyset.Cursor) -> dict:
        return progress.progress(c, ars, campaign, progress.Query(sort="fill_percentage", cursor=cursor))

    ej_stamp = organisations.bound_to("raison_sociale", False, None)
    fill_stamp = progress.Query(sort="fill_percentage").bound_to()
    return [
        ("cpom GET /ej?sort=raison_sociale (ARS: the home list, page 1; the region's kept count)",
         lambda c: organisations.list_ej(c, ars, "raison_sociale", False, 1)),
        ("cpom GET /ej?sort=raison_sociale&page=5 (ARS: the deepest page linked by its number)",
         lambda c: organisations.list_ej(c, ars, "raison_sociale", False, 5)),
        ("cpom GET /ej?sort=raison_sociale&cursor=<last> (ARS: « Dernière page »)",
         lambda c: ej_page(c, last)),
        ("cpom GET /ej?sort=raison_sociale&cursor=<before the last> (ARS: « Page précédente » from the last)",
         lambda c: ej_page(c, before_last(lambda cursor: ej_page(c, cursor), ej_stamp, str, str.isalnum))),
        (f"cpom GET /ej?q={middle} (ARS: « Rechercher » a FINESS)",
         lambda c: organisations.list_ej(c, ars, "raison_sociale", False, 1, middle)),
        (f"cpom GET /ej?sort=-adresse (CD of département {region.departements[0]})",
         lambda c: organisations.list_ej(c, cd, "adresse", True, 1)),
        ("cpom GET /ej (établissement user, 3 EJ)",
         lambda c: organisations.list_ej(c, member, "raison_sociale", False, 1)),
        ("contracts GET /campaigns/<id>/progress (page 1, by EJ name)",
         lambda c: progress.progress(c, ars, campaign, progress.Query())),
        ("contracts …/progress?sort=fill_percentage&cursor=<last> (« Dernière page »)",
         lambda c: campaign_page(c, last)),
        ("contracts …/progress?sort=fill_percentage&cursor=<before the last> (« Page précédente » from the last)",
         lambda c: campaign_page(c, before_last(lambda cursor: campaign_page(c, cursor), fill_stamp, int,
                                                payload.is_uuid))),
        ("contracts …/progress?status=AUTO-EVALUATION&fill_min=20&fill_max=80&departement=…&sort=-fill_percentage",
         lambda c: progress.progress(c, ars, campaign, progress.Query(
             sort="fill_percentage", descending=True, status="AUTO-EVALUATION", fill_min=20, fill_max=80,
             departement=region.departements[0]))),
        ("contracts …/progress?search=CAEN",
         lambda c: progress.progress(c, ars, campaign, progress.Query(search="CAEN"))),
    ]


def explain(stack: Stack, region: Region) -> None:
    engine = create_engine(stack.database_url)
    print(f"\nEXPLAIN ANALYZE at {region.size} EJs (TIMING OFF: row counts and the total time)")
    for title, run in cases(stack, region):
        print(f"\n### {title}")
        for statement, parameters in captured(engine, run):
            if statement.startswith(("SELECT cpom.habilitations", "SELECT contracts.campaigns")):
                continue  # the caller's grants and the campaign: index lookups
            with engine.begin() as conn:
                plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " + statement, parameters)
                print("\n".join("    " + row[0] for row in plan))
            print()
    engine.dispose()
