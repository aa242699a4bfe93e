"""Deadlines in calendar or working days (工作日), in Asia/Shanghai.

Working days follow the official PRC calendar (``chinese_calendar``: holidays and make-up
working days, 调休) with the deployment's own additions for years the package does not
know; a year without data calls ``on_unknown_year`` and falls back to Monday–Friday.

Rule ("countable time"): in working-day mode only time on working days counts. "N working
days from t" adds N x 24 h of countable time, so a 1-working-day deadline assigned at 16:00
on the day before a holiday lands at 16:00 on the next working day; an assignment on a
non-working day starts counting at 00:00 of the next working day (1 working day from a
Saturday ends at 24:00 on Monday). Paused time is not countable: a pause keeps the
countable time left and a resume adds it to the moment of resuming.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)


class BusinessCalendar:
    def __init__(
        self,
        *,
        mode: Literal["calendar", "working"] = "calendar",
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        on_unknown_year: Callable[[int], None] = lambda _year: None,
    ) -> None:
        self.mode = mode
        self._holidays = frozenset(extra_holidays)
        self._workdays = frozenset(extra_workdays)
        self._on_unknown_year = on_unknown_year

    def is_workday(self, day: date) -> bool:
        if day in self._workdays:
            return True
        if day in self._holidays:
            return False
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self._on_unknown_year(day.year)
            return day.weekday() < 5

    def _counts(self, day: date) -> bool:
        return self.mode == "calendar" or self.is_workday(day)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant when ``seconds`` of countable time have passed after ``start``."""
        if self.mode == "calendar":
            return start + timedelta(seconds=seconds)
        local = start.astimezone(SHANGHAI)
        remaining = timedelta(seconds=seconds)
        while True:
            day_end = datetime.combine(local.date() + DAY, time(0), SHANGHAI)
            if self._counts(local.date()):
                available = day_end - local
                if remaining <= available:
                    return (local + remaining).astimezone(start.tzinfo)
                remaining -= available
            local = day_end

    def between(self, start: datetime, end: datetime) -> float:
        """Countable seconds from ``start`` to ``end`` (0 if end is earlier)."""
        if end <= start:
            return 0.0
        if self.mode == "calendar":
            return (end - start).total_seconds()
        local, stop = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        total = timedelta()
        while local < stop:
            day_end = min(datetime.combine(local.date() + DAY, time(0), SHANGHAI), stop)
            if self._counts(local.date()):
                total += day_end - local
            local = day_end
        return total.total_seconds()

    def add_days(self, start: datetime, days: float) -> datetime:
        return self.add(start, days * 86_400)
