"""The hotspot rule, its decider and its fold (研判, RULES.md §5), on report times (no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.measures.hotspots import fold
from services.measures.hotspots.decide import decide
from services.measures.hotspots.rule import Point, Reports, Rule, hot_at, in_order, units_of
from shared.events.envelope import EventEnvelope
from shared.vocabulary import Category

T = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
DAY = timedelta(days=1)
VILLAGE = "330681001001"
GRIDS = [f"{VILLAGE}00{n}" for n in range(1, 4)]
OTHER_VILLAGE = "330681001002"
TOWNSHIP = "330681001000"
RULE = Rule()


def reports(unit: str, times: list[datetime], tag: str = "") -> list[Point]:
    return [
        Point(case_id=f"{tag}{unit}-{i}", reported_at=t, units=units_of(unit))
        for i, t in enumerate(times)
    ]


def burst(unit: str, n: int, *, at: datetime = T, every: timedelta = DAY / 4) -> list[Point]:
    return reports(unit, [at - every * i for i in range(n)], tag="b")


def weekly(unit: str, per_week: int, *, weeks: int, before: datetime) -> list[Point]:
    """``per_week`` reports in each of the ``weeks`` weeks that end at ``before``."""
    times = [
        before - timedelta(weeks=w) - DAY * (1 + d) for w in range(weeks) for d in range(per_week)
    ]
    return reports(unit, times, tag="w")


def hot(points: list[Point], at: datetime = T) -> dict[str, tuple[int, int]]:
    found = hot_at(Reports.of(points), at, RULE)
    return {unit: (f.window_days, len(f.case_ids)) for unit, f in found.items()}


def test_a_unit_with_no_history_is_hot_from_the_fifth_report_in_a_week() -> None:
    assert hot(burst(GRIDS[0], 4)) == {}
    assert hot(burst(GRIDS[0], 5)) == {GRIDS[0]: (7, 5)}


def test_the_count_must_exceed_three_times_the_baseline_median() -> None:
    """Two a week before: the 7-day window needs more than 6; 6 is not enough, 7 is."""
    history = weekly(GRIDS[0], 2, weeks=8, before=T - 7 * DAY)
    assert hot(history + burst(GRIDS[0], 6)) == {}
    assert hot(history + burst(GRIDS[0], 7)) == {GRIDS[0]: (7, 7)}


def test_the_baseline_is_the_median_not_the_mean() -> None:
    """One busy week among eight quiet ones leaves the median at nothing."""
    spike = reports(GRIDS[0], [T - 30 * DAY - DAY * i / 10 for i in range(40)], tag="s")
    assert hot(spike + burst(GRIDS[0], 5)) == {GRIDS[0]: (7, 5)}


def test_a_slow_rise_is_seen_in_the_30_day_window() -> None:
    """Four a week for a month against a baseline of one a week: no week holds more than
    three times one, but 16 in 30 days exceeds 3 x (1 x 30/7) = 12.9."""
    history = weekly(GRIDS[0], 1, weeks=8, before=T - 30 * DAY)
    rise = reports(GRIDS[0], [T - DAY * (i * 7 / 4) for i in range(17)], tag="r")
    found = hot(history + rise)
    assert found[GRIDS[0]][0] == 30 and found[GRIDS[0]][1] >= 13


def test_reports_older_than_the_window_do_not_count() -> None:
    old = reports(GRIDS[0], [T - 8 * DAY - DAY * i / 4 for i in range(5)])
    assert hot(old, at=T)[GRIDS[0]][0] == 30  # in the 30-day window, not the 7-day one
    assert hot(old, at=T + 40 * DAY) == {}


def test_a_burst_spread_over_a_village_is_seen_at_the_village_only() -> None:
    spread = [p for i, g in enumerate(GRIDS) for p in burst(g, 2, at=T - DAY * i)]
    assert hot(spread) == {VILLAGE: (7, 6)}


def test_a_burst_in_one_grid_is_reported_at_that_grid_not_again_above_it() -> None:
    assert hot(burst(GRIDS[0], 6) + burst(GRIDS[1], 1)) == {GRIDS[0]: (7, 6)}


def test_a_report_at_a_village_counts_at_the_village_and_its_township() -> None:
    assert units_of(VILLAGE) == (VILLAGE, TOWNSHIP)
    assert units_of(GRIDS[0]) == (GRIDS[0], VILLAGE, TOWNSHIP)
    assert units_of(TOWNSHIP) == (TOWNSHIP,)
    spread = burst(VILLAGE, 3) + burst(OTHER_VILLAGE, 3)
    assert hot(spread) == {TOWNSHIP: (7, 6)}


def decided(
    points: list[Point], report: Point, flagged: dict[str, list[datetime]]
) -> list[tuple[str, str, int, datetime]]:
    found = decide(
        Reports.of(points), batch=[report], category=Category.NEIGHBOUR, flagged=flagged, rule=RULE
    )
    return [(s, e.unit_code, e.cases, e.detected_at) for s, events in found.items() for e in events]


def test_the_fifth_report_of_a_burst_raises_one_hotspot() -> None:
    points = in_order(burst(GRIDS[0], 8))
    stream = f"hotspot-{GRIDS[0]}-neighbour"
    assert decided(points[:4], points[3], {}) == []
    fifth = points[4].reported_at
    assert decided(points[:5], points[4], {}) == [(stream, GRIDS[0], 5, fifth)]


def test_an_early_report_counted_last_sees_the_burst_at_its_end() -> None:
    """Reports counted out of order: the first one's decision, made when all eight are in,
    finds the burst at the last report's time."""
    points = in_order(burst(GRIDS[0], 8))
    stream = f"hotspot-{GRIDS[0]}-neighbour"
    assert decided(points, points[0], {}) == [(stream, GRIDS[0], 8, points[-1].reported_at)]
    assert decided(points[:4], points[0], {}) == []


def test_a_hotspot_is_raised_once_whichever_report_decides_again() -> None:
    points = in_order(burst(GRIDS[0], 8))
    flagged = {GRIDS[0]: [points[4].reported_at]}
    assert all(decided(points, report, flagged) == [] for report in points)
    # A report decided before the others were counted still flags the unit (later): the
    # stream's history then holds it, and nobody records a second one.
    [(_, _, _, at)] = decided(points, points[-1], {})
    assert all(decided(points, report, {GRIDS[0]: [at]}) == [] for report in points)


def test_a_new_burst_after_the_repeat_period_is_a_new_hotspot() -> None:
    first = burst(GRIDS[0], 5)
    second = burst(GRIDS[0], 20, at=T + 40 * DAY, every=DAY / 8)
    points = in_order(first + second)
    flagged = {GRIDS[0]: [T]}
    assert decided(points, first[0], flagged) == []
    [(_, unit, _, at)] = decided(points, second[-1], flagged)
    assert unit == GRIDS[0] and at > T + 30 * DAY


def event(seq: int, kind: str, payload: dict[str, Any], at: datetime = T) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid.uuid4(),
        event_type=kind,
        schema_version=1,
        case_id="c1",
        sequence=seq,
        occurred_at=at,
        recorded_at=at + DAY,
        correlation_id=uuid.uuid4(),
        producer="test",
        payload=payload,
    )


def test_a_report_counts_at_its_own_time_in_the_category_it_ends_up_with() -> None:
    reported = {"number": "N1", "unit_code": GRIDS[0] + "01", "grid_unit_code": GRIDS[0]}
    row = fold.evolve(None, event(1, "CaseReported", {**reported, "category": None}))
    assert row is not None and row["unit_code"] == GRIDS[0] and row["reported_at"] == T
    row = fold.evolve(row, event(2, "CaseTriaged", {"category": "land"}, at=T + DAY))
    assert row is not None and (row["category"], row["version"]) == ("land", 2)
    row = fold.evolve(row, event(3, "CaseFactsAmended", {"category": "labour"}))
    assert row is not None and row["category"] == "labour" and row["reported_at"] == T
    assert fold.evolve(None, event(1, "CaseRejected", reported)) is None


def test_a_report_folded_into_an_incident_is_counted_there_until_unfolded() -> None:
    reported = {"number": "N2", "unit_code": GRIDS[0]}
    row = fold.evolve(None, event(1, "CaseReported", reported))
    row = fold.evolve(row, event(2, "ReportFolded", {"into_case_id": "incident"}))
    assert row is not None and row["folded_into"] == "incident"
    row = fold.evolve(row, event(3, "ReportUnfolded", {"from_case_id": "incident"}))
    assert row is not None and row["folded_into"] is None
