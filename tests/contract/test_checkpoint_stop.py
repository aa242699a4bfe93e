"""Stopping the embedded log while a checkpoint copies the WAL: the stop waits for that
copy, then checkpoints once more and closes, and the connection is never used by two
threads at once (which crashed the process with a segmentation fault)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from shared.db.inline_sqlite import InlineConnection
from shared.log import sql_driver
from shared.log.checkpoint import WalCheckpointer
from shared.log.embedded import EmbeddedLog
from shared.log.sql_driver import StoreTransactions
from tests.contract.events import new_case, noted
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


async def test_closing_the_log_waits_for_the_writers_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer checkpoints in a worker thread between its transactions; closing the log
    (which cancels the writer) must not close the connection under that checkpoint."""
    started, release, finished = threading.Event(), threading.Event(), threading.Event()
    closed_under_it: list[bool] = []
    plain = StoreTransactions.checkpoint

    def held(own: InlineConnection) -> None:
        started.set()
        release.wait(timeout=30)
        closed_under_it.append(_closed(own))
        try:
            plain(own)
        finally:
            finished.set()

    monkeypatch.setattr(sql_driver, "CHECKPOINT_FRAMES", 1)  # every commit checkpoints
    monkeypatch.setattr(StoreTransactions, "checkpoint", staticmethod(held))
    log = EmbeddedLog(f"sqlite+aiosqlite:///{tmp_path}/log.db", checkpoint_seconds=3600)
    await log.start()
    case = new_case()
    await log.append(case, [noted(case, "one")])
    assert await asyncio.to_thread(started.wait, 10)

    closing = asyncio.create_task(log.close())
    # A close that did not wait closes the connection within this time.
    await asyncio.wait({closing}, timeout=0.5)
    release.set()
    await asyncio.wait_for(closing, 10)
    assert await asyncio.to_thread(finished.wait, 10)

    assert closed_under_it == [False]


def _closed(own: InlineConnection) -> bool:
    try:
        own.sqlite.execute("SELECT 1")
    except sqlite3.ProgrammingError:  # "Cannot operate on a closed database."
        return True
    return False
