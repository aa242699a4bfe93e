"""One write transaction of the event store, on its driver.

A write is three or four fixed statements (look-ups, inserts). On SQLite they go straight to
the store's inline connection (``shared/db/inline_sqlite.py``: on the loop's thread, a
locked database waited for in a worker thread, the durable commit as that module decides):
SQLAlchemy's execution layers cost more than the statements. Elsewhere they run as driver
SQL on SQLAlchemy's connection, in its transaction.

The writer keeps its connection between transactions (``StoreTransactions``): on PostgreSQL
one of the engine's, on a SQLite file one of its own outside SQLAlchemy's pool of one, where
it also checkpoints the write-ahead log itself between transactions
(``CHECKPOINT_FRAMES``): a checkpoint run beside a busy writer never catches up with it, the
WAL then grows for as long as appends keep coming, and a commit that extends the file costs
about twice one that rewrites it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db.inline_sqlite import InlineConnection, connect_inline

CHECKPOINT_FRAMES = 1_000
"""The writer checkpoints once its transactions wrote about this many WAL frames (pages):
SQLite's own automatic threshold, run between transactions instead of inside a commit."""
FULL = 2
HOLD_IDLE_S = 1.0
"""The writer's PostgreSQL connection goes back to the pool after this long unused."""


class WriteTransaction(Protocol):
    dialect: Dialect

    async def rows(self, statement: str, parameters: Sequence[object] = ()) -> list[Any]:
        """The rows a query gives, as tuples."""
        ...

    async def execute_many(self, statement: str, rows: Sequence[tuple[object, ...]]) -> int | None:
        """Run ``statement`` once per row of parameters; the row id of the last row inserted
        where the driver tells it for free (SQLite, one row), else None."""
        ...


class _OnSqlAlchemy:
    def __init__(self, conn: AsyncConnection) -> None:
        self.dialect = conn.dialect
        self._conn = conn

    async def rows(self, statement: str, parameters: Sequence[object] = ()) -> list[Any]:
        return list((await self._conn.exec_driver_sql(statement, tuple(parameters))).all())

    async def execute_many(self, statement: str, rows: Sequence[tuple[object, ...]]) -> int | None:
        await self._conn.exec_driver_sql(statement, list(rows))
        return None


@contextlib.contextmanager
def sqlalchemy_errors(statement: str) -> Iterator[None]:
    """The driver's errors as SQLAlchemy raises them (IntegrityError, OperationalError...):
    the store and its callers tell conflicts and outages apart by those."""
    try:
        yield
    except sqlite3.Error as exc:
        raise _converted(statement, exc) from exc


def _converted(statement: str, exc: sqlite3.Error) -> BaseException:
    return DBAPIError.instance(statement, None, exc, sqlite3.Error)


class _OnInlineSqlite:
    def __init__(self, dialect: Dialect, inline: InlineConnection) -> None:
        self.dialect = dialect
        self._inline = inline
        self._sqlite = inline.sqlite

    async def rows(self, statement: str, parameters: Sequence[object] = ()) -> list[Any]:
        def fetch() -> list[Any]:
            return self._sqlite.execute(statement, parameters).fetchall()

        try:
            return await self._inline.run(fetch)
        except sqlite3.Error as exc:
            raise _converted(statement, exc) from exc

    async def execute_many(self, statement: str, rows: Sequence[tuple[object, ...]]) -> int | None:
        try:
            if len(rows) == 1:  # ``execute`` tells the row id, ``executemany`` does not
                cursor = await self._inline.run(self._sqlite.execute, statement, rows[0])
                return cursor.lastrowid
            await self._inline.run(self._sqlite.executemany, statement, rows)
            return None
        except sqlite3.Error as exc:
            raise _converted(statement, exc) from exc


class _OwnTransaction:
    """A transaction on the writer's own SQLite connection: committed when the block ends
    without an error, else rolled back (a class, not a generator: one per append)."""

    __slots__ = ("_inline", "_tx")

    def __init__(self, tx: _OnInlineSqlite) -> None:
        self._tx = tx
        self._inline = tx._inline

    async def __aenter__(self) -> WriteTransaction:
        return self._tx

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            await self._inline.rollback()
            return
        try:
            await self._inline.commit()
        except sqlite3.Error as exc:
            raise _converted("COMMIT", exc) from exc


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


class StoreTransactions:
    """The event-store writer's transactions: on a SQLite file, on a connection of its own
    (same ``synchronous`` as the engine's) with checkpoints between them; else the engine's."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        database = engine.url.database
        on_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
        self._sqlite_file = database if on_file else None
        self._own: InlineConnection | None = None
        self._own_tx: _OnInlineSqlite | None = None
        self._held: AsyncConnection | None = None
        self._held_used = 0.0
        self._checkpoint: asyncio.Future[None] | None = None
        """The checkpoint running in a worker thread, if any."""
        self._frames = 0
        """WAL frames written since the last checkpoint, estimated as SQLite counts them:
        about 2.6 per single-row commit, and 1.5 pages per 4 KiB of rows (their index
        entries) in a large one."""

    async def begin(self) -> contextlib.AbstractAsyncContextManager[WriteTransaction]:
        """A transaction to enter: committed when its block ends without an error."""
        if self._own_tx is not None:
            return _OwnTransaction(self._own_tx)
        if self._engine.dialect.name != "sqlite":
            return self._held_transaction()
        if self._sqlite_file is None:
            return write_transaction(self._engine)
        own = await self._open(self._sqlite_file)
        self._own_tx = _OnInlineSqlite(self._engine.dialect, own)
        return _OwnTransaction(self._own_tx)

    @contextlib.asynccontextmanager
    async def _held_transaction(self) -> AsyncIterator[WriteTransaction]:
        """On a server database: a connection the writer keeps while appends keep coming
        (a check-out pings the server first: a round trip per append). Given back to the
        pool after ``HOLD_IDLE_S`` without a transaction and after any error but a refused
        row, so the next transaction's check-out pings (a restarted server costs no write)."""
        if self._held is not None and time.monotonic() - self._held_used > HOLD_IDLE_S:
            await self._give_back()
        if self._held is None:
            self._held = await self._engine.connect()
        conn = self._held
        try:
            async with conn.begin():
                yield _OnSqlAlchemy(conn)
        except IntegrityError:
            raise
        except BaseException:
            await self._give_back()
            raise
        finally:
            self._held_used = time.monotonic()

    async def _give_back(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            with contextlib.suppress(Exception):
                await held.close()

    def checkpoint_due(self, written_bytes: int) -> bool:
        """After a commit was answered: whether the WAL has grown enough for ``checkpoint``."""
        if self._own is None:
            return False
        self._frames += 3 + written_bytes * 3 // 8192
        return self._frames >= CHECKPOINT_FRAMES

    async def checkpoint_wal(self) -> None:
        """Copy the WAL back into the database file now, in a worker thread."""
        if self._own is None:
            return
        self._frames = 0
        # Cancelling the writer cannot stop a checkpoint already in its thread: ``close``
        # waits for it before closing the connection under it.
        self._checkpoint = asyncio.ensure_future(asyncio.to_thread(self.checkpoint, self._own))
        with contextlib.suppress(sqlite3.Error):  # the next one will try again
            await asyncio.shield(self._checkpoint)
        self._checkpoint = None

    @staticmethod
    def checkpoint(own: InlineConnection) -> None:
        """Copy the WAL back into the database file, as far as readers allow (in a thread)."""
        own.sqlite.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    async def _open(self, database: str) -> InlineConnection:
        async with self._engine.connect() as conn:
            synchronous = (await conn.exec_driver_sql("PRAGMA synchronous")).scalar_one()
        own = await connect_inline(database, commit_in_thread=synchronous >= FULL)
        for pragma in (
            "journal_mode=WAL",
            f"synchronous={int(synchronous)}",
            "foreign_keys=ON",
            "wal_autocheckpoint=0",
        ):
            own.sqlite.execute(f"PRAGMA {pragma}").fetchall()
        self._own = own
        return own

    async def close(self) -> None:
        if self._checkpoint is not None:
            with contextlib.suppress(sqlite3.Error):
                await self._checkpoint
            self._checkpoint = None
        if self._own is not None:
            self._own.stop()
            self._own = None
            self._own_tx = None
        await self._give_back()
