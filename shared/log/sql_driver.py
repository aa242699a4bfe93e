"""One write transaction of the event store, on its driver.

A write is three or four fixed statements (look-ups, inserts). On SQLite they go straight to
the store's inline connection (``shared/db/inline_sqlite.py``: on the loop's thread, a
locked database waited for in a worker thread, the durable commit as that module decides):
SQLAlchemy's execution layers cost more than the statements. Elsewhere they run as driver
SQL on SQLAlchemy's connection, in its transaction.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db.inline_sqlite import InlineConnection


class WriteTransaction(Protocol):
    dialect: Dialect

    async def rows(self, statement: str, parameters: Sequence[object] = ()) -> list[Any]:
        """The rows a query gives, as tuples."""
        ...

    async def execute_many(self, statement: str, rows: Sequence[tuple[object, ...]]) -> None:
        """Run ``statement`` once per row of parameters."""
        ...


class _OnSqlAlchemy:
    def __init__(self, conn: AsyncConnection) -> None:
        self.dialect = conn.dialect
        self._conn = conn

    async def rows(self, statement: str, parameters: Sequence[object] = ()) -> list[Any]:
        return list((await self._conn.exec_driver_sql(statement, tuple(parameters))).all())

    async def execute_many(self, statement: str, rows: Sequence[tuple[object, ...]]) -> None:
        await self._conn.exec_driver_sql(statement, list(rows))


@contextlib.contextmanager
def sqlalchemy_errors(statement: str) -> Iterator[None]:
    """The driver's errors as SQLAlchemy raises them (IntegrityError, OperationalError...):
    the store and its callers tell conflicts and outages apart by those."""
    try:
        yield
    except sqlite3.Error as exc:
        raise DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


class _OnInlineSqlite:
    def __init__(self, dialect: Dialect, inline: InlineConnection) -> None:
        self.dialect = dialect
        self._inline = inline
        self._sqlite = inline.sqlite

    async def rows(self, statement: str, parameters: Sequence[object] = ()) -> list[Any]:
        def fetch() -> list[Any]:
            return self._sqlite.execute(statement, parameters).fetchall()

        with sqlalchemy_errors(statement):
            return await self._inline.run(fetch)

    async def execute_many(self, statement: str, rows: Sequence[tuple[object, ...]]) -> None:
        with sqlalchemy_errors(statement):
            await self._inline.run(self._sqlite.executemany, statement, rows)


@contextlib.asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[WriteTransaction]:
    """A transaction committed when the block ends without an error, else rolled back."""
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        if not isinstance(driver, InlineConnection):
            async with conn.begin():
                yield _OnSqlAlchemy(conn)
            return
        try:
            yield _OnInlineSqlite(conn.dialect, driver)
        except BaseException:
            await driver.rollback()
            raise
        with sqlalchemy_errors("COMMIT"):
            await driver.commit()
