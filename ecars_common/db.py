"""One engine per service, its tables in the service's own PostgreSQL schema."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, MetaData, create_engine, event, exc, make_url, text
from sqlalchemy.engine import Engine

# SQLSTATEs meaning the server went away or refuses connections (class 08 too): shutdown, crash, restart.
UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}
# A pooled connection idle for longer than this is pinged before use (see ping_idle_connections).
IDLE_PING_SECONDS = 1.0


def service_metadata(schema: str) -> MetaData:
    return MetaData(schema=schema)


def connection_name(schema: str, role: str = "") -> str:
    """How a process's connections are named in pg_stat_activity: ecars-<service>[-worker|-relay]."""
    return f"ecars-{schema}" + (f"-{role}" if role else "")


def database_unavailable(error: BaseException) -> bool:
    """The database cannot be reached or dropped the connection (as opposed to refusing a statement).
    SQLAlchemy invalidates such a connection and empties the pool, so the next request starts afresh."""
    if isinstance(error, exc.TimeoutError):  # no connection free in the pool
        return True
    if not isinstance(error, exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None)
    if state is None:  # failed before the server could answer: refused, unreachable, closed
        return isinstance(error, exc.OperationalError | exc.InterfaceError)
    return state.startswith("08") or state in UNAVAILABLE_STATES


class Database:
    def __init__(self, url: str, schema: str, pool_size: int = 5, application_name: str | None = None):
        """Connections are named `application_name` (default ecars-<schema>) unless the URL names them.
        A connection the server closed while it sat idle in the pool is replaced on checkout."""
        self.schema = schema
        named = {} if "application_name" in make_url(url).query else {
            "application_name": application_name or connection_name(schema)}
        self.engine: Engine = create_engine(
            url, pool_size=pool_size, max_overflow=10, pool_recycle=1800, connect_args=named
        )
        ping_idle_connections(self.engine)

    @contextmanager
    def session(self) -> Iterator[Connection]:
        """A unit of work: one transaction on one connection, committed when the block ends, rolled back if
        it raises. A Core `Connection`, not an ORM `Session`: the services execute Core statements only, and
        the ORM's execution path around them cost more CPU than the statements (bench/README.md)."""
        with self.engine.begin() as connection:
            yield connection

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def ping_idle_connections(engine: Engine) -> None:
    """SQLAlchemy's pool_pre_ping, for connections idle over IDLE_PING_SECONDS only: pre_ping pings at every
    checkout, one more round trip per request under load. A connection busy a moment ago is used as is; if it
    died since, its request gets the 503 of a lost connection and the pool is renewed (`database_unavailable`)."""

    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _note_idle_since(dbapi_connection, record, *_):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        if time.monotonic() - record.info.get("idle_since", 0.0) <= IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool then discards it and checks out another (up to 3 tries)
            raise exc.DisconnectionError() from error


def contains_pattern(text_: str) -> str:
    """An ILIKE pattern matching `text_` anywhere, its own % _ and \\ taken literally (search boxes)."""
    return "%" + text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
