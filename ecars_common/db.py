"""One engine per service, its tables in the service's own PostgreSQL schema."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import MetaData, create_engine, exc, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

# SQLSTATEs meaning the server went away or refuses connections (class 08 too): shutdown, crash, restart.
UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}


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
        pool_pre_ping: a connection the server closed while it sat in the pool is replaced on checkout."""
        self.schema = schema
        named = {} if "application_name" in make_url(url).query else {
            "application_name": application_name or connection_name(schema)}
        self.engine: Engine = create_engine(
            url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True, pool_recycle=1800, connect_args=named
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block ends, rolls back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()
