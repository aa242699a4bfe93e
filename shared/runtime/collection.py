"""Garbage collection: around bulk work, and for a long-running service process.

Batches of events allocate many short-lived objects, which reference counting frees; the
cyclic collector's automatic passes then mostly walk the long-lived heap. Bulk loops pause
it and collect the young generations between batches instead.

A served process tunes it once started (``tune_gc``). CPython collects its youngest
generation every 700 net allocations and everything every hundred or so of those, while
the process holds long-lived objects (the organisation tree, the window of recent records,
the timer index, pydantic's validators) that every full collection walks again. On two
cores at 200 cases/s that was about an eighth of the process's CPU, with full collections
of up to 100 ms that stall every consumer at once. So the process freezes what startup
built (no collection walks it again) and collects less often.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No automatic collection inside; the previous setting comes back after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def collect_young() -> None:
    """Collect the two young generations (cheap): cycles made by the last batch."""
    gc.collect(1)


def tune_gc(*, young_threshold: int) -> tuple[int, int, int]:
    """Freeze what exists now; collect the youngest generation every ``young_threshold``
    net allocations (0: keep CPython's defaults, still freezing). Returns the thresholds."""
    gc.freeze()
    if young_threshold > 0:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)
    return gc.get_threshold()
