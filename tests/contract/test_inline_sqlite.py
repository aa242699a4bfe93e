"""The embedded databases run statements on the loop's thread, but never wait there for a
database another connection has locked."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from shared.db.bulk import driver_datetime
from shared.db.engine import make_engine
from shared.events.codec import encode
from shared.events.envelope import utc_now
from shared.log.embedded import EmbeddedLog
from shared.log.port import NO_STREAM, VersionConflict
from tests.contract.events import new_case, noted

DIALECT = sqlite.dialect()


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


async def test_an_append_racing_another_writer_of_its_case_is_settled_not_failed(
    tmp_path: Path,
) -> None:
    """Another process commits the case's first event after this log read the case's head
    and before it could insert: the insert conflicts, and the append is settled against
    what is stored (the next sequence; with an expected version, a version conflict)."""
    database = tmp_path / "log.db"
    log = EmbeddedLog(f"sqlite+aiosqlite:///{database}")
    await log.start()
    case, now = new_case(), utc_now()
    theirs = noted(case, "theirs").recorded(sequence=1, recorded_at=now)
    other = sqlite3.connect(database, check_same_thread=False)
    try:
        other.execute("BEGIN IMMEDIATE")  # the other writer holds the write lock
        other.execute(
            "INSERT INTO event_log (event_id, case_id, sequence, event_type, recorded_at, body,"
            " published) VALUES (?, ?, 1, ?, ?, ?, 1)",
            (
                str(theirs.event_id),
                case,
                theirs.event_type,
                driver_datetime(DIALECT, now),
                encode(theirs),
            ),
        )
        ours = asyncio.create_task(log.append(case, [noted(case, "ours")]))
        refused = asyncio.create_task(
            log.append(case, [noted(case, "expects none")], expected_version=NO_STREAM)
        )
        done, _ = await asyncio.wait({ours, refused}, timeout=0.3)
        assert not done  # both read head 0 and now wait for the lock
        other.commit()
        assert [e.sequence for e in (await ours).events] == [2]
        with pytest.raises(VersionConflict):
            await refused
        notes = [e.payload["note"] for e in await log.read_stream(case)]
        assert notes == ["theirs", "ours"]
    finally:
        other.close()
        await log.close()
