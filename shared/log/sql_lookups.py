"""The event store's hot statements as fixed driver SQL: the writer's look-ups (stream
heads, known keys, last position) and the stream reads.

Every append and every command's read runs these, so they skip SQLAlchemy's statement
building and caching (which cost more than the look-ups themselves): one statement text
per dialect, the keys sent as one parameter (``shared/db/keys.py`` explains why), a single
stream looked up by equality.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from functools import cache
from typing import Any

import asyncpg
import orjson
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db.inline_sqlite import InlineConnection, connect_inline
from shared.log.port import NO_STREAM, AppendRequest
from shared.log.sql_driver import WriteTransaction, sqlalchemy_errors
from shared.log.sql_requests import Replay, chunks
from shared.log.sql_schema import append_keys, event_log


@cache
def _statements(dialect: Dialect) -> dict[str, str]:
    quote = dialect.identifier_preparer.quote
    events, keys = quote(event_log.name), quote(append_keys.name)
    if dialect.name == "postgresql":
        one, many = "$1", "ANY($1::varchar[])"
        member = f"= {many}"
    else:
        one, many = "?", "(SELECT value FROM json_each(?))"
        member = f"IN {many}"
    key = quote("key")
    return {
        "head": f"SELECT max(sequence) FROM {events} WHERE case_id = {one}",
        "head_and_key": (
            f"SELECT h.head, k.case_id, k.first_sequence, k.last_sequence, k.fingerprint "
            f"FROM (SELECT max(sequence) AS head FROM {events} WHERE case_id = {one}) AS h "
            f"LEFT JOIN {keys} AS k ON k.{key} = {'$2' if dialect.name == 'postgresql' else '?'}"
        ),
        "heads": (
            f"SELECT case_id, max(sequence) FROM {events} WHERE case_id {member} GROUP BY case_id"
        ),
        "keys": (
            f"SELECT {quote('key')}, case_id, first_sequence, last_sequence, fingerprint "
            f"FROM {keys} WHERE {quote('key')} {member}"
        ),
        "last": f"SELECT max(position) FROM {events}",
        "stream": (
            f"SELECT position, body FROM {events} WHERE case_id = {one} "
            f"AND sequence > {'$2' if dialect.name == 'postgresql' else '?'} ORDER BY sequence"
        ),
        "streams": (
            f"SELECT case_id, position, body FROM {events} WHERE case_id {member} "
            "ORDER BY case_id, sequence"
        ),
    }


def _many(dialect: Dialect, values: Sequence[str]) -> object:
    return list(values) if dialect.name == "postgresql" else orjson.dumps(list(values)).decode()


async def _read(conn: AsyncConnection, name: str, *parameters: object) -> list[Any]:
    """Rows of a read, on the driver itself: on PostgreSQL outside a transaction (which
    SQLAlchemy would open and roll back, two more round trips than the read)."""
    statement = _statements(conn.dialect)[name]
    driver = (await conn.get_raw_connection()).driver_connection
    if isinstance(driver, InlineConnection):
        sqlite = driver.sqlite

        def fetch() -> list[Any]:
            return sqlite.execute(statement, parameters).fetchall()

        with sqlalchemy_errors(statement):
            return await driver.run(fetch)
    if conn.dialect.name == "postgresql":
        assert driver is not None
        return list(await driver.fetch(statement, *parameters))
    return list((await conn.exec_driver_sql(statement, parameters)).all())


async def stream_heads(tx: WriteTransaction, case_ids: set[str]) -> dict[str, int]:
    """The highest sequence of each stream that has one."""
    statements = _statements(tx.dialect)
    if len(case_ids) == 1:
        (case_id,) = case_ids
        ((head,),) = await tx.rows(statements["head"], (case_id,))
        return {case_id: int(head)} if head is not None else {}
    heads: dict[str, int] = {}
    for part in chunks(sorted(case_ids)):
        rows = await tx.rows(statements["heads"], (_many(tx.dialect, part),))
        heads.update((case_id, int(head)) for case_id, head in rows)
    return heads


async def look_ups(
    tx: WriteTransaction, batch: Sequence[AppendRequest], *, every_head: bool
) -> tuple[dict[str, int], dict[str, tuple[Replay, str | None]]]:
    """The stream heads and recorded keys the requests of ``batch`` are decided on. The head
    of a stream only new-stream appends write to is not looked up (unless ``every_head``):
    their first row would collide with the stream's. A lone request with a key looks both
    up in one statement (its head even for a new stream: a conflict found there is the one
    its insert would have met)."""
    if len(batch) == 1 and batch[0].idempotency_key:
        return await head_and_key(tx, batch[0].case_id, batch[0].idempotency_key)
    keys = [r.idempotency_key for r in batch if r.idempotency_key]
    known = await known_keys(tx, keys) if keys else {}
    fenced = {r.case_id for r in batch if every_head or r.expected_version != NO_STREAM}
    heads = await stream_heads(tx, fenced) if fenced else {}
    return heads, known


async def head_and_key(
    tx: WriteTransaction, case_id: str, key: str
) -> tuple[dict[str, int], dict[str, tuple[Replay, str | None]]]:
    """A lone append's look-ups in one statement: its stream's head (as ``stream_heads``)
    and what its key recorded already (as ``known_keys``)."""
    ((head, *recorded),) = await tx.rows(_statements(tx.dialect)["head_and_key"], (case_id, key))
    heads = {case_id: int(head)} if head is not None else {}
    stream, first, last, fingerprint = recorded
    if stream is None:
        return heads, {}
    return heads, {key: (Replay(stream, first, last), fingerprint)}


async def known_keys(tx: WriteTransaction, keys: list[str]) -> dict[str, tuple[Replay, str | None]]:
    """The appends already recorded under ``keys``, with their fingerprints."""
    known: dict[str, tuple[Replay, str | None]] = {}
    for part in chunks(keys):
        rows = await tx.rows(_statements(tx.dialect)["keys"], (_many(tx.dialect, part),))
        for key, case_id, first, last, fingerprint in rows:
            known[key] = (Replay(case_id, first, last), fingerprint)
    return known


class HotReads:
    """Where the store's stream reads run, on connections of their own taken and given back
    without SQLAlchemy's pool (whose check-out, with its liveness ping on PostgreSQL, cost
    more than the read): on a SQLite file read-only inline connections (a read is over
    before the loop turns, so one or two serve every caller); on PostgreSQL asyncpg
    connections made from the engine's URL, each read one round trip outside a
    transaction; elsewhere the reader engine."""

    def __init__(self, engine: AsyncEngine, *, keep: int = 4) -> None:
        self._engine = engine
        database = engine.url.database
        on_file = engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
        self._sqlite_file = database if on_file else None
        self._on_asyncpg = engine.dialect.driver == "asyncpg"
        self._idle: list[InlineConnection] = []
        self._idle_pg: list[asyncpg.Connection] = []
        self._keep = keep

    async def rows(self, name: str, *parameters: object) -> list[Any]:
        if self._on_asyncpg:
            return await self._pg_rows(_statements(self._engine.dialect)[name], parameters)
        if self._sqlite_file is None:
            async with self._engine.connect() as conn:
                return await _read(conn, name, *parameters)
        statement = _statements(self._engine.dialect)[name]
        inline = self._idle.pop() if self._idle else await self._open(self._sqlite_file)
        sqlite = inline.sqlite

        def fetch() -> list[Any]:
            return sqlite.execute(statement, parameters).fetchall()

        # Not given back after an error: a read cancelled while it waited for a lock in a
        # worker thread may still be running there (the connection closes once it is done).
        with sqlalchemy_errors(statement):
            found: list[Any] = await inline.run(fetch)
        if len(self._idle) < self._keep:
            self._idle.append(inline)
        else:
            inline.stop()
        return found

    async def _pg_rows(self, statement: str, parameters: Sequence[object]) -> list[Any]:
        conn = self._idle_pg.pop() if self._idle_pg else await self._connect_pg()
        try:
            found = list(await conn.fetch(statement, *parameters))
        except BaseException:
            conn.terminate()  # broken, or cancelled mid-read: never given back
            raise
        if len(self._idle_pg) < self._keep:
            self._idle_pg.append(conn)
        else:
            await conn.close()
        return found

    async def _connect_pg(self) -> asyncpg.Connection:
        _, options = self._engine.dialect.create_connect_args(self._engine.url)
        accepted = inspect.signature(asyncpg.connect).parameters
        return await asyncpg.connect(**{k: v for k, v in options.items() if k in accepted})

    @staticmethod
    async def _open(database: str) -> InlineConnection:
        conn = await connect_inline(database, commit_in_thread=False)
        conn.sqlite.execute("PRAGMA query_only=ON")
        return conn

    async def close(self) -> None:
        while self._idle:
            self._idle.pop().stop()
        while self._idle_pg:
            conn = self._idle_pg.pop()
            try:
                await conn.close(timeout=5)
            except (OSError, asyncpg.PostgresError, TimeoutError):
                conn.terminate()


async def stream_records(reads: HotReads, case_id: str, *, after: int) -> list[tuple[int, bytes]]:
    """One case's (position, body) after sequence ``after``, oldest first."""
    return [(position, body) for position, body in await reads.rows("stream", case_id, after)]


async def streams_records(
    reads: HotReads, case_ids: Sequence[str], dialect: Dialect
) -> list[tuple[str, int, bytes]]:
    """Several cases' (case id, position, body), each case's oldest first."""
    found: list[tuple[str, int, bytes]] = []
    for part in chunks(case_ids):
        rows = await reads.rows("streams", _many(dialect, part))
        found.extend((case_id, position, body) for case_id, position, body in rows)
    return found


async def last_position(tx: WriteTransaction) -> int | None:
    ((last,),) = await tx.rows(_statements(tx.dialect)["last"])
    return int(last) if last is not None else None
