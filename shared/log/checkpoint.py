"""WAL checkpoints of the embedded log, off the writer's path.

SQLite copies the write-ahead log back into the database file (a checkpoint) when the log
has grown past 1,000 pages, inside the commit that crossed the mark: a large batch (a
burst of deadlines) then waits for the copy and its fsync before anyone sees it. The log's
writing connection turns that off (``wal_autocheckpoint=0``) and this task checkpoints in
a thread instead, every ``every`` seconds, ``PASSIVE`` (never waiting for readers or the
writer). The copy is the same work; it is only no longer on a commit's critical path.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path


class WalCheckpointer:
    def __init__(self, database: Path, *, every: float = 1.0) -> None:
        self._database = database
        self._every = every
        self._connection: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.to_thread(self.checkpoint)  # what the last writes left behind
        if self._connection is not None:
            self._connection.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            with contextlib.suppress(sqlite3.Error):
                await asyncio.to_thread(self.checkpoint)

    def checkpoint(self) -> None:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self._database, timeout=30, check_same_thread=False, isolation_level=None
            )
        self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
