"""The embedded log's write-ahead log is copied back into the database file by its own
task, not inside the commits (whose latency would then include the copy)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from shared.log.embedded import EmbeddedLog
from tests.contract.events import new_case, noted


def rows_in_the_database_file(database: Path) -> int:
    """Rows the main file holds, ignoring what is still only in the WAL."""
    main_file_only = sqlite3.connect(f"file:{database}?immutable=1", uri=True)
    try:
        return int(main_file_only.execute("SELECT count(*) FROM event_log").fetchone()[0])
    finally:
        main_file_only.close()


async def test_commits_leave_checkpoints_to_the_checkpointer(tmp_path: Path) -> None:
    database = tmp_path / "log.db"
    # The periodic checkpoint is kept out of the way: only the test's own ones run, so a slow
    # machine (appends spread over more than a second) cannot move rows into the file early.
    log = EmbeddedLog(f"sqlite+aiosqlite:///{database}", checkpoint_seconds=3600)
    await log.start()
    try:
        assert log.checkpointer is not None
        await asyncio.to_thread(log.checkpointer.checkpoint)  # the schema, into the file
        case = new_case()
        for i in range(50):  # about 5 MB: past the 1,000 pages at which a commit would copy
            await log.append(case, [noted(case, f"{i} " + "记录" * 50_000)])
        before = rows_in_the_database_file(database)
        await asyncio.to_thread(log.checkpointer.checkpoint)
        after = rows_in_the_database_file(database)
    finally:
        await log.close()

    assert before == 0
    assert after == 50
