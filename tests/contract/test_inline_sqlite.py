"""The embedded databases run statements on the loop's thread, but never wait there for a
database another connection has locked."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from sqlalchemy import text

from shared.db.engine import make_engine


async def test_a_locked_database_is_waited_for_without_blocking_the_loop(tmp_path: Path) -> None:
    database = tmp_path / "app.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}", durable=False)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE notes (note TEXT)"))
    other = sqlite3.connect(database, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        other.execute("INSERT INTO notes VALUES ('theirs')")

        async def write() -> None:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO notes VALUES ('ours')"))

        writing = asyncio.create_task(write())
        done, _ = await asyncio.wait({writing}, timeout=0.3)
        assert not done  # still waiting for the lock, and this loop kept running meanwhile
        other.commit()
        await writing  # neither refused nor lost once the lock is free
        async with engine.connect() as conn:
            notes = (await conn.execute(text("SELECT note FROM notes ORDER BY note"))).scalars()
            assert list(notes) == ["ours", "theirs"]
    finally:
        other.close()
        await engine.dispose()


async def test_a_durable_commit_is_on_disk_for_another_connection(tmp_path: Path) -> None:
    database = tmp_path / "log.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}", durable=True)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE events (body TEXT)"))
            await conn.execute(text("INSERT INTO events VALUES ('reported')"))
        with sqlite3.connect(database) as reader:
            assert reader.execute("SELECT body FROM events").fetchall() == [("reported",)]
    finally:
        await engine.dispose()
