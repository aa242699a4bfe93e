"""A transaction on an engine in two hand-offs to SQLAlchemy's synchronous core.

``engine.begin()`` of SQLAlchemy's asyncio layer takes a hand-off to its synchronous core
(``greenlet_spawn``) to connect, another to begin, one to commit and one more to close,
the last in a task of its own (so a cancellation cannot abandon it): on the embedded
database, whose statements take microseconds on the loop's thread, those cost more than
the transaction's own work, and every consumer's batch pays them. ``begin`` connects and
begins in one hand-off, and commits (or rolls back) and closes in one more, without a task
(one bare turn of the loop after, as before): the same pool checkout, transaction and
check-in, so the same guarantees (what the block wrote commits together, or nothing of it
if the block raises). The close runs in the same
hand-off as the commit, after it whether the commit succeeded or not, so a cancellation
arriving meanwhile (while a durable commit waits for its worker thread) cannot leave the
connection out of the pool. ``connect`` does the same for ``engine.connect()`` (reads).
PostgreSQL keeps ``engine.begin()`` and ``engine.connect()`` as they are.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.util import greenlet_spawn


@asynccontextmanager
async def begin(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """``engine.begin()``: a connection in a transaction that commits when the block ends
    and rolls back if it raises; on SQLite in two hand-offs and no task."""
    if engine.sync_engine.dialect.name != "sqlite":
        async with engine.begin() as conn:
            yield conn
        return
    sync = await greenlet_spawn(_connect_and_begin, engine.sync_engine)
    try:
        yield AsyncConnection(engine, sync)
    except BaseException:
        await greenlet_spawn(_end, sync, False)
        raise
    await greenlet_spawn(_end, sync, True)
    await _turn()


@asynccontextmanager
async def connect(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """``engine.connect()``: a connection (its transaction, if any, rolled back when the
    block ends); on SQLite in two hand-offs and no task."""
    if engine.sync_engine.dialect.name != "sqlite":
        async with engine.connect() as conn:
            yield conn
        return
    sync = await greenlet_spawn(engine.sync_engine.connect)
    try:
        yield AsyncConnection(engine, sync)
    finally:
        await greenlet_spawn(sync.close)
    await _turn()


async def _turn() -> None:
    """One turn of the loop after the connection is back in the pool (as the closing task
    of ``engine.begin()`` gave): a task waiting for it takes it before this one can again,
    and a consumer catching up on a backlog (its log's reads need not wait either) lets the
    rest of the process run between batches."""
    await asyncio.sleep(0)


def _connect_and_begin(engine: Engine) -> Connection:
    conn = engine.connect()
    try:
        conn.begin()
    except BaseException:
        conn.close()
        raise
    return conn


def _end(conn: Connection, commit: bool) -> None:
    """Commit (or roll back) the transaction, and close: back into the pool either way."""
    try:
        if commit:
            conn.commit()
        else:
            conn.rollback()
    finally:
        conn.close()
