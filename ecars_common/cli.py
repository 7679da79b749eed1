"""`python -m services.<name> migrate|worker|seed`: the commands every service answers, and its own (`commands`,
e.g. `reconcile-habilitations`)."""

import argparse
import asyncio
from collections.abc import Callable

from ecars_common import migrations, worker
from ecars_common.config import Settings
from ecars_common.consumer import Handler, declare_topology
from ecars_common.db import Database, connection_name
from ecars_common.logs import configure_logging
from ecars_common.schedule import PeriodicJob


def main(
    settings: Settings,
    handlers: Callable[[Settings], dict[str, Handler]] | None = None,
    seed: Callable[[Database, Settings], None] | None = None,
    prepare: Callable[[Settings], None] | None = None,
    jobs: Callable[[Settings], list[PeriodicJob]] | None = None,
    commands: dict[str, Callable[[Settings, list[str]], None]] | None = None,
    argv: list[str] | None = None,
) -> None:
    commands = commands or {}
    parser = argparse.ArgumentParser(prog=f"python -m services.{settings.service}")
    parser.add_argument("command", choices=["migrate", "worker", "seed", *commands])
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in commands:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    configure_logging(settings.service, settings.log_level)
    if args.command == "migrate":
        migrations.upgrade(settings.service, settings.database_url)
        if handlers is not None:
            asyncio.run(declare_topology(settings, handlers(settings).keys()))
        if prepare is not None:  # what else the service needs before it serves, e.g. its S3 bucket
            prepare(settings)
    elif args.command == "worker":
        db = Database(settings.database_url, settings.schema,
                      application_name=connection_name(settings.schema, "worker"))
        worker.run(settings, db, handlers(settings) if handlers else {}, jobs(settings) if jobs else [])
    elif args.command == "seed" and seed is not None:
        seed(Database(settings.database_url, settings.schema), settings)
    elif args.command in commands:
        commands[args.command](settings, rest)
