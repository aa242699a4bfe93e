"""WAL checkpoints of the embedded log, off the writer's path.

SQLite copies the write-ahead log back into the database file (a checkpoint) when the log
has grown past 1,000 pages, inside the commit that crossed the mark: a large batch (a
burst of deadlines) then waits for the copy and its fsync before anyone sees it. The log's
writing connection turns that off (``wal_autocheckpoint=0``) and this task checkpoints in
a thread instead, every ``every`` seconds, ``PASSIVE`` (never waiting for readers or the
writer). The copy is the same work; it is only no longer on a commit's critical path.

The checkpointer's connection is only ever used by one thread at a time: cancelling the
task cannot stop a copy already running in its thread, so ``stop`` waits for that copy to
finish before the last checkpoint and the close.
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
        self._running: asyncio.Future[None] | None = None
        """The checkpoint in its thread now, if any (cancelling the task leaves it running)."""

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._running is not None:
            with contextlib.suppress(sqlite3.Error):
                await self._running
        await asyncio.to_thread(self._last)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            self._running = asyncio.ensure_future(asyncio.to_thread(self.checkpoint))
            with contextlib.suppress(sqlite3.Error):
                await asyncio.shield(self._running)
            self._running = None

    def _last(self) -> None:
        """What the last writes left behind, then the close: in the same thread."""
        try:
            self.checkpoint()
        finally:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def checkpoint(self) -> None:
        if self._connection is None:
            self._connection = sqlite3.connect(
                self._database, timeout=30, check_same_thread=False, isolation_level=None
            )
        self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
