"""Async SQLAlchemy engines for SQLite (embedded) and PostgreSQL (production)."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.db.inline_sqlite import connect_inline


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# Every engine: JSON columns (the case list's details) are written and read with orjson, and
# a database error never carries the statement's parameters (they hold personal data, and
# an unhandled error's message reaches the logs).
_ENGINE_OPTIONS: dict[str, Any] = {
    "json_serializer": _dumps,
    "json_deserializer": orjson.loads,
    "hide_parameters": True,
}


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None: not SQLite, or in memory)."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    return Path(database) if database and database != ":memory:" else None


def make_engine(
    url: str, *, durable: bool = True, pool_size: int = 10, checkpoints_elsewhere: bool = False
) -> AsyncEngine:
    """An engine for ``url``.

    SQLite runs in WAL mode; ``durable`` chooses ``synchronous=FULL`` (fsync on every commit,
    for the event log) over ``NORMAL`` (read models, which can be rebuilt from the log);
    ``checkpoints_elsewhere``: commits never checkpoint the WAL (a ``WalCheckpointer`` does).
    """
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # One connection: writers queue in asyncio instead of sleeping in SQLite's busy
        # handler (which backs off up to 100 ms per try and made every hop slow). Its
        # statements run on the loop's thread; a durable commit in a worker thread.
        engine = create_async_engine(
            url,
            async_creator=partial(connect_inline, database or ":memory:", commit_in_thread=durable),
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            **_ENGINE_OPTIONS,
        )
        synchronous = "FULL" if durable else "NORMAL"

        @event.listens_for(engine.sync_engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            if checkpoints_elsewhere:
                cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.close()

        return engine
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, **_ENGINE_OPTIONS
    )


def make_sqlite_reader(url: str, *, connections: int = 4) -> AsyncEngine:
    """Read-only connections to a SQLite database in WAL mode, beside its one writing
    connection: WAL readers neither wait for the writer nor hold it up, so reads do not
    queue behind a commit and its fsync."""
    database = make_url(url).database or ":memory:"
    engine = create_async_engine(
        url,
        async_creator=partial(connect_inline, database, commit_in_thread=False),
        pool_size=connections,
        max_overflow=0,
        pool_timeout=60,
        **_ENGINE_OPTIONS,
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    return engine
