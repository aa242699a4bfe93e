"""The clock services read: the system's, or a simulated one tests and demos move by hand.

A simulated clock stands between ``EARLIEST_SIMULATED`` and ``LATEST_SIMULATED``: deadlines,
working-day calendars and timers are computed from it, some years ahead, and near the end
of what a datetime can hold (year 9999) that arithmetic overflows.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

EARLIEST_SIMULATED = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_SIMULATED = datetime(2100, 1, 1, tzinfo=UTC)


class ClockOutOfRange(ValueError):
    """A simulated clock was asked to stand outside its range, or at a time with no zone."""


def in_range(instant: datetime) -> datetime:
    """``instant``, when a simulated clock may stand there; ClockOutOfRange otherwise."""
    if instant.tzinfo is None:
        raise ClockOutOfRange("the simulated clock needs a time with its UTC offset")
    if not EARLIEST_SIMULATED <= instant <= LATEST_SIMULATED:
        raise ClockOutOfRange(
            f"the simulated clock stays between {EARLIEST_SIMULATED.isoformat()} and "
            f"{LATEST_SIMULATED.isoformat()}"
        )
    return instant


class Clock:
    """System time. A sleeper takes a ``mark()`` before looking for work and then
    ``sleep_until(instant, since=mark)``: a ``nudge()`` in between wakes it at once."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def mark(self) -> asyncio.Event:
        return self._changed

    def nudge(self) -> None:
        """Wake every sleeper (new work arrived, or the simulated time moved)."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _seconds_until(self, instant: datetime | None, longest: float) -> float:
        if instant is None:
            return longest
        return min(max((instant - self.now()).total_seconds(), 0.0), longest)

    async def sleep_until(
        self, instant: datetime | None, *, since: asyncio.Event, longest: float = 30.0
    ) -> None:
        with contextlib.suppress(TimeoutError):
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can swallow a
            # cancellation that races with the wake-up, and shutdown then hangs.
            async with asyncio.timeout(self._seconds_until(instant, longest)):
                await since.wait()


class SimulatedClock(Clock):
    """Stands still until moved; moving it wakes every sleeper at once."""

    def __init__(self, start: datetime | None = None) -> None:
        super().__init__()
        self._now = in_range(start or datetime.now(UTC))

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        if in_range(instant) < self._now:
            raise ValueError("the simulated clock only moves forward")
        self._now = instant
        self.nudge()

    def _seconds_until(self, instant: datetime | None, longest: float) -> float:
        if instant is not None and instant <= self._now:
            return 0.0
        return longest  # simulated time only moves by set(), which wakes sleepers


def make_clock(kind: str, *, start: datetime | None = None) -> Clock:
    return SimulatedClock(start) if kind == "simulated" else Clock()
