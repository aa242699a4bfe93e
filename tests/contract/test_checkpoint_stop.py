"""Stopping the embedded log while a checkpoint copies the WAL: the stop waits for that
copy, then checkpoints once more and closes, and the connection is never used by two
threads at once (which crashed the process with a segmentation fault)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from shared.log.checkpoint import WalCheckpointer
from tests.contract.test_embedded_checkpoint import rows_in_the_database_file

ROW = "记录" * 20_000  # about 60 KB a row


class WatchedCheckpointer(WalCheckpointer):
    """Counts checkpoints and how many ran at once; the first may be held at its start."""

    def __init__(self, database: Path, *, hold_first: bool) -> None:
        super().__init__(database, every=0)
        self.calls = 0
        self.inside = 0
        self.most_at_once = 0
        self.first_started = threading.Event()
        self.another_started = threading.Event()
        self.release_first = threading.Event()
        if not hold_first:
            self.release_first.set()
        self._guard = threading.Lock()

    def checkpoint(self) -> None:
        with self._guard:
            self.calls += 1
            call = self.calls
            self.inside += 1
            self.most_at_once = max(self.most_at_once, self.inside)
        (self.first_started if call == 1 else self.another_started).set()
        try:
            if call == 1:
                self.release_first.wait(timeout=30)
            super().checkpoint()
        finally:
            with self._guard:
                self.inside -= 1


def write_to_the_wal(database: Path, rows: int) -> int:
    """Rows appended to a log table that stay in the WAL until a checkpoint."""
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("CREATE TABLE IF NOT EXISTS event_log (body TEXT)")
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO event_log VALUES (?)", [(ROW,)] * rows)
        connection.execute("COMMIT")
        return int(connection.execute("SELECT count(*) FROM event_log").fetchone()[0])
    finally:
        connection.close()


async def test_stop_waits_for_the_checkpoint_running_in_its_thread(tmp_path: Path) -> None:
    database = tmp_path / "log.db"
    written = write_to_the_wal(database, 20)
    checkpointer = WatchedCheckpointer(database, hold_first=True)
    checkpointer.start()
    assert await asyncio.to_thread(checkpointer.first_started.wait, 10)

    stopping = asyncio.create_task(checkpointer.stop())
    # While the first copy runs, nothing else may touch the connection: give a stop that
    # did not wait ample time to start its own checkpoint.
    overlapped = await asyncio.to_thread(checkpointer.another_started.wait, 0.5)
    checkpointer.release_first.set()
    await asyncio.wait_for(stopping, 10)

    assert not overlapped
    assert checkpointer.most_at_once == 1
    assert checkpointer.calls == 2  # the running one, then the last one of the stop
    assert rows_in_the_database_file(database) == written


async def test_stop_during_a_large_checkpoint_holds_two_hundred_times(tmp_path: Path) -> None:
    database = tmp_path / "log.db"
    for _ in range(200):
        written = write_to_the_wal(database, 20)  # about 1 MB more WAL to copy each round
        checkpointer = WatchedCheckpointer(database, hold_first=False)
        checkpointer.start()
        assert await asyncio.to_thread(checkpointer.first_started.wait, 10)
        await asyncio.wait_for(checkpointer.stop(), 30)

        assert checkpointer.most_at_once == 1
        assert rows_in_the_database_file(database) == written
