"""Garbage collection for a long-running service process.

CPython collects its youngest generation every 700 net allocations and everything every
hundred or so of those; a consumer or a request allocates thousands of short-lived objects,
while the process also holds long-lived ones (the organisation tree, the window of recent
records, the timer index, pydantic's validators) that every full collection walks again.
On two cores at 200 cases/s that was about an eighth of the process's CPU, and full
collections of up to 100 ms that stall every consumer at once. So, once started, the
process freezes what startup built (no collection walks it again) and collects less often.
"""

from __future__ import annotations

import gc


def tune_gc(*, young_threshold: int) -> tuple[int, int, int]:
    """Freeze what exists now; collect the youngest generation every ``young_threshold``
    net allocations (0: keep CPython's defaults, still freezing). Returns the thresholds."""
    gc.freeze()
    if young_threshold > 0:
        _, middle, old = gc.get_threshold()
        gc.set_threshold(young_threshold, middle, old)
    return gc.get_threshold()
