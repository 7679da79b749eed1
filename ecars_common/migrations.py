"""Alembic, configured in code: each service keeps its revisions in services/<name>/migrations (the gateway in
gateway/migrations) and its version table in its own schema."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text

ROOT = Path(__file__).resolve().parent.parent


def script_location(service: str) -> Path:
    return ROOT / "gateway" / "migrations" if service == "gateway" else ROOT / "services" / service / "migrations"


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location(service)))
    config.set_main_option("sqlalchemy.url", database_url)
    config.set_main_option("schema", service)
    return config


def upgrade(service: str, database_url: str) -> None:
    command.upgrade(alembic_config(service, database_url), "head")


def run_env() -> None:
    """Body of every service's migrations/env.py (online mode only)."""
    from alembic import context

    config = context.config
    schema = config.get_main_option("schema")
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        connection.commit()
        context.configure(connection=connection, version_table_schema=schema)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_extension(op, name: str) -> None:
    """CREATE EXTENSION IF NOT EXISTS, safe when two services' migrations run at once (`make run` migrates every
    service in parallel): the second waits for the first's transaction, then finds the extension there."""
    op.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))").bindparams(name=f"extension {name}"))
    op.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
