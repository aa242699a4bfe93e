"""The embedded log's write-ahead log is copied back into the database file by the writer,
between its transactions, once they wrote about ``CHECKPOINT_FRAMES`` pages: the WAL stays
bounded however long appends keep coming (a checkpoint run beside a busy writer never
catches up with it, and a commit that grows the WAL costs about twice one that reuses it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from shared.log.embedded import EmbeddedLog
from shared.log.sql_driver import CHECKPOINT_FRAMES
from tests.contract.events import new_case, noted

PAGE = 4096


def size_of(path: Path) -> int:
    """A file's size now (a stat: quick enough between two appends)."""
    return path.stat().st_size


def rows_in_the_database_file(database: Path) -> int:
    """Rows the main file holds, ignoring what is still only in the WAL (read it while
    nothing writes: the file may be mid-checkpoint otherwise)."""
    main_file_only = sqlite3.connect(f"file:{database}?immutable=1", uri=True)
    try:
        return int(main_file_only.execute("SELECT count(*) FROM event_log").fetchone()[0])
    finally:
        main_file_only.close()


async def test_continuous_appends_keep_the_wal_bounded_and_reach_the_database_file(
    tmp_path: Path,
) -> None:
    database = tmp_path / "log.db"
    wal = Path(f"{database}-wal")
    # The periodic checkpoint is kept out of the way: only the writer's own ones run.
    log = EmbeddedLog(f"sqlite+aiosqlite:///{database}", checkpoint_seconds=3600)
    await log.start()
    appends = 3_000
    largest = 0
    try:
        for i in range(appends):  # each one a commit of several pages (rows, indexes)
            case = new_case()
            await log.append(case, [noted(case, f"{i}")])
            if i % 100 == 99:
                largest = max(largest, size_of(wal))
        in_file = size_of(database)
        stored = len(await log.read_stream(case))
    finally:
        await log.close()

    # Unchecked, the WAL would hold every commit's pages: well over 3,000 x 3 pages.
    assert largest < 3 * CHECKPOINT_FRAMES * PAGE, f"the WAL grew to {largest:,} bytes"
    # Copied into the database file meanwhile: most of the rows (a row and its index
    # entries take over 150 bytes), not only the schema's few pages.
    assert in_file > appends * 150, f"the database file holds {in_file:,} bytes"
    assert stored == 1
    print(f"WAL at most {largest:,} bytes, database file {in_file:,} bytes")
