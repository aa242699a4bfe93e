"""Commits made on the embedded log's file by another process, noticed within milliseconds.

The embedded log wakes its own subscribers when its own writer commits. A commit by another
process on the same file (an intake process of its own beside the rest, a rebuild) reaches
them only with the once-a-second poll. With ``FQ_EMBEDDED_WATCH_MS`` set, this task asks
SQLite every so often whether any other connection committed (``PRAGMA data_version``: a
counter kept in shared memory, read in microseconds), and when the log's last position went
past what this process knows of, it wakes the subscribers, who read the new records from
the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path


class OtherWriters:
    def __init__(
        self,
        database: Path,
        *,
        every: float,
        known: Callable[[], int | None],
        wake: Callable[[], None],
    ) -> None:
        self._database = database
        self._every = every
        self._known = known
        """The last position this process's own writer committed (None: none yet)."""
        self._wake = wake
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="other-writers")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        uri = f"file:{self._database}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=0, check_same_thread=False)
        version: int | None = None
        seen = 0
        try:
            while True:
                await asyncio.sleep(self._every)  # SQLite has no cross-process notification
                with contextlib.suppress(sqlite3.OperationalError):  # locked: next time
                    now = conn.execute("PRAGMA data_version").fetchone()[0]
                    if now == version:
                        continue
                    version = now
                    (top,) = conn.execute("SELECT max(position) FROM event_log").fetchone()
                    if top is not None and top > max(seen, self._known() or 0):
                        seen = top
                        self._wake()
        finally:
            conn.close()
