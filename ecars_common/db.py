"""One engine per service, its tables in the service's own PostgreSQL schema."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def service_metadata(schema: str) -> MetaData:
    return MetaData(schema=schema)


class Database:
    def __init__(self, url: str, schema: str, pool_size: int = 5):
        self.schema = schema
        self.engine: Engine = create_engine(
            url, pool_size=pool_size, max_overflow=10, pool_pre_ping=True, pool_recycle=1800
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
