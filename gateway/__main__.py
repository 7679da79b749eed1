"""`python -m gateway migrate`: the gateway's own table (its web sessions, schema `gateway`)."""

import argparse

from ecars_common import migrations
from ecars_common.logs import configure_logging
from gateway.config import Config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m gateway")
    parser.add_argument("command", choices=["migrate"])
    parser.parse_args(argv)
    config = Config()
    configure_logging("gateway", config.log_level)
    migrations.upgrade("gateway", config.database_url)


if __name__ == "__main__":
    main()
