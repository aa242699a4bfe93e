"""Garbage collection around bulk work: a full pass over a large heap costs a second.

Batches of events allocate many short-lived objects, which reference counting frees; the
cyclic collector's automatic passes then mostly walk the long-lived heap. Bulk loops pause
it and collect the young generations between batches instead.
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
