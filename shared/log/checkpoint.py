"""WAL checkpoints of the embedded log at rest.

The writer checkpoints between its own transactions (``shared/log/sql_driver.py``,
``StoreTransactions``); its connections never checkpoint inside a commit
(``wal_autocheckpoint=0``). This task covers the rest: every ``every`` seconds, in a thread,
``PASSIVE`` (never waiting for readers or the writer), it copies back what other connections
wrote (dead letters, the schema) and what a quiet writer left below its threshold, and it
takes the last checkpoint when the log closes.

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
