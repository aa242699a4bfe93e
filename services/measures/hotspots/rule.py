"""The hotspot rule (研判, RULES.md §5), pure: which units are hot at an instant.

A unit and category is *hot* at instant ``t`` over a window of ``w`` days when the reports
of the window ``(t - w, t]`` number at least ``min_cases`` and more than ``factor`` times
the baseline: the median of the weekly counts of the ``baseline_weeks`` weeks before the
window, scaled to ``w`` days. The shortest hot window is the one reported.

Units counted: the grid a case belongs to, its village and its township (county-wide
counts are the sum of the townships'). A unit's count leaves out the cases of its
sub-units that are hot at the same instant, so a burst in one grid is reported at that grid
alone, while a burst spread over a village's grids, none of them hot by itself, is seen at
the village. Time is the report time carried by the events, never the wall clock.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from shared.org.levels import Level

WEEK = timedelta(days=7)
COUNTED = (Level.GRID, Level.VILLAGE, Level.TOWNSHIP)
"""The levels counted: grid, village, township (RULES.md §1's codes: a township is its
9 digits and ``000``, a village 12 digits, a grid its village's and 3 more)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """The rule's numbers (``FQ_HOTSPOT_*``; RULES.md §5's defaults)."""

    factor: float = 3.0
    min_cases: int = 5
    windows_days: tuple[int, ...] = (7, 30)
    baseline_weeks: int = 8
    repeat_after_days: int = 30

    @property
    def reach(self) -> timedelta:
        """How far before an instant the rule looks: the longest window and its baseline."""
        return timedelta(days=max(self.windows_days)) + self.baseline_weeks * WEEK

    @property
    def longest(self) -> timedelta:
        return timedelta(days=max(self.windows_days))


@dataclass(frozen=True, slots=True)
class Point:
    """One counted report: its case, its time, the units it counts in."""

    case_id: str
    reported_at: datetime
    units: tuple[str, ...]
    """Its grid, village and township codes (those it has), smallest first."""


@dataclass(frozen=True, slots=True)
class Finding:
    unit_code: str
    level: Level
    window_days: int
    at: datetime
    case_ids: tuple[str, ...]
    """The reports counted in the window, newest first."""
    baseline: float
    """What the window would hold at the baseline's median."""


def township_of(unit_code: str) -> str:
    return unit_code[:9] + "000"


def units_of(unit_code: str) -> tuple[str, ...]:
    """The units a case reported at ``unit_code`` counts in: its grid, village and
    township, those it has, smallest first (a report at a township counts there alone)."""
    found = []
    if len(unit_code) >= 15:
        found.append(unit_code[:15])
    if len(unit_code) >= 12 and unit_code[9:12] != "000":
        found.append(unit_code[:12])
    if len(unit_code) >= 9:
        found.append(township_of(unit_code))
    return tuple(found)


def level_of(unit_code: str) -> Level:
    if len(unit_code) >= 15:
        return Level.GRID
    return Level.TOWNSHIP if unit_code.endswith("000") else Level.VILLAGE


def _count(times: Sequence[datetime], start: datetime, end: datetime) -> int:
    """Of sorted ``times``, how many lie in ``(start, end]``."""
    return bisect_right(times, end) - bisect_right(times, start)


def baseline(times: Sequence[datetime], *, window_start: datetime, rule: Rule, days: int) -> float:
    """The median weekly count of the weeks before the window (of sorted ``times``),
    scaled to ``days``."""
    weekly = [
        _count(times, window_start - (k + 1) * WEEK, window_start - k * WEEK)
        for k in range(rule.baseline_weeks)
    ]
    return statistics.median(weekly) * days / 7


@dataclass(frozen=True)
class Reports:
    """Reports indexed by the units they count in: each unit's points and times in time
    order, and its sub-units that have reports. Built once, asked at many instants."""

    points: dict[str, list[Point]]
    times: dict[str, list[datetime]]
    subunits: dict[str, list[str]]

    @classmethod
    def of(cls, points: Iterable[Point]) -> Reports:
        by_unit: dict[str, list[Point]] = {}
        subunits: dict[str, set[str]] = {}
        for point in in_order(points):
            for index, unit in enumerate(point.units):
                by_unit.setdefault(unit, []).append(point)
                subunits.setdefault(unit, set()).update(point.units[:index])
        return cls(
            points=by_unit,
            times={unit: [p.reported_at for p in mine] for unit, mine in by_unit.items()},
            subunits={unit: sorted(subs) for unit, subs in subunits.items()},
        )

    def latest(self) -> datetime | None:
        return max((times[-1] for times in self.times.values()), default=None)


def _hot_parts(reports: Reports, unit: str, hot: dict[str, Finding]) -> list[str]:
    """The unit's hot sub-units that are not inside another of them."""
    parts = [s for s in reports.subunits[unit] if s in hot]
    return [s for s in parts if not any(len(o) < len(s) and s.startswith(o) for o in parts)]


def _hot(
    reports: Reports, unit: str, hot: dict[str, Finding], at: datetime, rule: Rule
) -> Finding | None:
    """The shortest hot window of ``unit`` at ``at``, leaving out its hot sub-units."""
    times, parts = reports.times[unit], _hot_parts(reports, unit, hot)
    for days in rule.windows_days:
        start = at - timedelta(days=days)
        count = _count(times, start, at) - sum(_count(reports.times[s], start, at) for s in parts)
        if count < rule.min_cases:
            continue  # too few to be hot whatever the baseline (most units, most instants)
        expected = baseline(times, window_start=start, rule=rule, days=days)
        if count > rule.factor * expected:
            inside = reports.points[unit][bisect_right(times, start) : bisect_right(times, at)]
            left_out = {p.case_id for s in parts for p in reports.points[s]}
            counted = [p.case_id for p in reversed(inside) if p.case_id not in left_out]
            return Finding(
                unit_code=unit,
                level=level_of(unit),
                window_days=days,
                at=at,
                case_ids=tuple(counted),
                baseline=expected,
            )
    return None


def hot_at(reports: Reports, at: datetime, rule: Rule) -> dict[str, Finding]:
    """Every hot unit at ``at``, the smallest units decided first."""
    found: dict[str, Finding] = {}
    for level in COUNTED:
        for unit in sorted(u for u in reports.times if level_of(u) is level):
            finding = _hot(reports, unit, found, at, rule)
            if finding is not None:
                found[unit] = finding
    return found


def in_order(points: Iterable[Point]) -> list[Point]:
    return sorted(points, key=lambda p: (p.reported_at, p.case_id))
