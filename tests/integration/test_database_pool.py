"""The services' connection pool against the real PostgreSQL: a connection whose server process was killed
while it sat idle in the pool is replaced before use (pinged when idle over IDLE_PING_SECONDS), and one killed
between two quick uses fails its request once as « database unavailable », after which the pool is renewed."""

import time

import pytest
import sqlalchemy as sa

from ecars_common import db as db_module
from ecars_common.db import Database, database_unavailable
from tests.support.db import connect

NAME = "ecars-pool-test"


def backend_pid(database: Database) -> int:
    with database.engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def kill(stack, pid: int) -> None:
    with connect(stack) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s) AS killed", (pid,)).fetchone()["killed"] is True


@pytest.fixture
def database(stack):
    database = Database(stack.database_url, "contracts", pool_size=1, application_name=NAME)
    yield database
    database.engine.dispose()


def test_a_connection_killed_while_idle_in_the_pool_is_replaced_before_use(stack, database):
    """Injected: pg_terminate_backend on the pool's only connection, then more than IDLE_PING_SECONDS idle.
    Counted: the next use succeeds on a new server process."""
    first = backend_pid(database)
    kill(stack, first)
    time.sleep(db_module.IDLE_PING_SECONDS + 0.2)
    assert backend_pid(database) != first


def test_a_connection_killed_between_two_quick_uses_fails_once_then_the_pool_is_renewed(stack, database):
    """Injected: pg_terminate_backend on a connection used a moment ago (not pinged again: no extra round trip per
    request under load). Counted: that use fails as « database unavailable » (the services' 503), the next
    succeeds on a new server process."""
    first = backend_pid(database)
    kill(stack, first)
    with pytest.raises(sa.exc.DBAPIError) as failed:
        backend_pid(database)
    assert database_unavailable(failed.value)
    assert backend_pid(database) != first
