"""SQLite statements run on the event loop's own thread, behind aiosqlite's interface.

aiosqlite runs each call (opening a cursor, executing, fetching, closing) on a thread of
its own and hands the result back through the event loop: four loop turns per statement,
each waiting behind everything else ready to run. A transaction holds SQLite's only
writing connection all that while, so under load the loop's latency, times the statements
of each transaction, was what limited every service in the process. A statement of the
embedded databases takes microseconds, so these connections run it where it is called:
no thread, no loop turn, and a transaction is over as soon as its statements are.

Two things may take longer, and those may leave the loop's thread:

* a durable commit (``synchronous=FULL``: an fsync) runs on the loop's thread while the
  previous one took under ``INLINE_COMMIT_BELOW_S`` (an fsync on a local SSD takes a
  fraction of it, less than handing the commit to a thread and back), and in a worker
  thread after a slower one, until a commit is quick again: a slow disk stalls the loop
  for at most one commit per slow spell;
* a statement that finds the database locked by another connection (another process, a
  rebuild) is tried again in a worker thread, under the usual busy timeout, so the loop
  never sleeps in SQLite's busy handler.

SQLAlchemy drives these through its aiosqlite dialect (``async_creator``); the semantics
of the ``sqlite3`` module, transactions included, are those of aiosqlite.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

BUSY_TIMEOUT_MS = 30_000
INLINE_COMMIT_BELOW_S = 0.001
"""A durable commit runs on the loop's thread while the previous one took less than this."""


class InlineCursor:
    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._cursor = connection._conn.cursor()

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        await self._connection.run(self._cursor.execute, sql, parameters or ())
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> InlineCursor:
        rows = list(parameters)  # may be tried twice (database locked)
        await self._connection.run(self._cursor.executemany, sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    async def nextset(self) -> None:
        return None

    async def setinputsizes(self, *_sizes: Any) -> None:
        return None

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._rows()

    async def _rows(self) -> AsyncIterator[Any]:
        for row in self._cursor:
            yield row

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _OpenCursor:
    """What ``cursor()`` returns: awaited (or entered) once to get the cursor."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection

    def __await__(self) -> Any:
        return self._open().__await__()

    async def _open(self) -> InlineCursor:
        return InlineCursor(self._connection)

    async def __aenter__(self) -> InlineCursor:
        return InlineCursor(self._connection)

    async def __aexit__(self, *_exc: object) -> None:
        return None


class _Immediate:
    """Stands in for aiosqlite's request queue (SQLAlchemy sets the isolation level
    through it): a request runs at once."""

    def put_nowait(self, request: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = request
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    def __init__(self, conn: sqlite3.Connection, *, commit_in_thread: bool) -> None:
        self._conn = conn
        self._connection: sqlite3.Connection | None = conn  # aiosqlite's "still open"
        self._commit_in_thread = commit_in_thread
        self.last_commit_seconds = 0.0
        """How long the latest durable commit took (the commit alone, not its hand-off)."""
        self._tx = _Immediate()

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        """``call`` here; once more in a worker thread (waiting for the lock) when another
        connection holds the database."""
        try:
            return call(*args)
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise
        return await asyncio.to_thread(self._waiting, call, *args)

    def _waiting(self, call: Callable[..., T], *args: Any) -> T:
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        try:
            return call(*args)
        finally:
            self._conn.execute("PRAGMA busy_timeout=0")

    def cursor(self) -> _OpenCursor:
        return _OpenCursor(self)

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> InlineCursor:
        cursor = InlineCursor(self)
        return await cursor.execute(sql, parameters)

    async def commit(self) -> None:
        if not self._commit_in_thread:
            await self.run(self._conn.commit)
        elif self.last_commit_seconds < INLINE_COMMIT_BELOW_S:
            await self.run(self._timed_commit)
        else:
            await asyncio.to_thread(self._timed_commit)

    def _timed_commit(self) -> None:
        started = time.perf_counter()
        try:
            self._conn.commit()
        finally:
            self.last_commit_seconds = time.perf_counter() - started

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        """Close at once (SQLAlchemy's forced termination)."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def sqlite(self) -> sqlite3.Connection:
        """The ``sqlite3`` connection, for statements run through ``run``."""
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction


def _locked(exc: sqlite3.OperationalError) -> bool:
    message = str(exc)
    return "database is locked" in message or "database table is locked" in message


async def connect_inline(database: str, *, commit_in_thread: bool) -> InlineConnection:
    """An inline connection to ``database`` (a path or ``:memory:``). Its busy timeout is
    0: a locked database is waited for in a worker thread, never on the loop's."""
    conn = sqlite3.connect(database, timeout=0, check_same_thread=False)
    return InlineConnection(conn, commit_in_thread=commit_in_thread)
