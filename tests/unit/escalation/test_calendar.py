"""Deadline arithmetic: calendar and working days, holidays, 调休, pauses, unknown years."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.escalation.ladder.calendar import SHANGHAI, BusinessCalendar

WORKING = BusinessCalendar(mode="working")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_calendar_days_are_plain_days() -> None:
    assert BusinessCalendar().add_days(at("2025-09-30T16:00"), 1) == at("2025-10-01T16:00")


def test_one_working_day_before_national_day_lands_after_the_holiday() -> None:
    assert WORKING.add_days(at("2025-09-30T16:00"), 1) == at("2025-10-09T16:00")


def test_make_up_working_days_count() -> None:
    # Saturday 2025-10-11 is a 调休 working day; Sunday 2025-09-28 too.
    assert WORKING.add_days(at("2025-10-10T09:00"), 1) == at("2025-10-11T09:00")
    assert WORKING.add_days(at("2025-09-27T10:00"), 1) == at("2025-09-29T00:00")


def test_spring_festival_and_new_year() -> None:
    assert WORKING.add_days(at("2026-02-14T11:00"), 1) == at("2026-02-24T11:00")
    assert WORKING.add_days(at("2025-12-31T16:00"), 1) == at("2026-01-04T16:00")


def test_a_non_working_day_assignment_counts_from_the_next_working_day() -> None:
    assert WORKING.add_days(at("2025-10-02T15:00"), 3) == at("2025-10-12T00:00")


def test_an_unknown_year_falls_back_with_a_warning_and_accepts_overrides() -> None:
    warned: list[int] = []
    plain = BusinessCalendar(mode="working", on_unknown_year=warned.append)
    assert plain.add_days(at("2027-04-30T10:00"), 1) == at("2027-05-03T10:00")
    assert 2027 in warned
    labour_day = [date(2027, 5, d) for d in range(1, 6)]
    fixed = BusinessCalendar(
        mode="working", extra_holidays=labour_day, extra_workdays=[date(2027, 4, 25)]
    )
    assert fixed.add_days(at("2027-04-30T10:00"), 1) == at("2027-05-06T10:00")
    assert fixed.is_workday(date(2027, 4, 25))


def test_countable_time_between_skips_holidays() -> None:
    assert WORKING.between(at("2025-09-30T16:00"), at("2025-10-09T16:00")) == 86_400
    assert WORKING.between(at("2025-10-09T16:00"), at("2025-09-30T16:00")) == 0


INSTANTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 1)).map(
    lambda d: d.replace(tzinfo=SHANGHAI)
)


@given(INSTANTS, st.integers(min_value=0, max_value=10), st.integers(min_value=0, max_value=10))
def test_deadlines_grow_with_the_limit(start: datetime, a: int, b: int) -> None:
    small, large = sorted((a, b))
    assert WORKING.add_days(start, small) <= WORKING.add_days(start, large)
    assert WORKING.add_days(start, large) - start >= timedelta(days=large)


@given(INSTANTS, st.floats(min_value=0, max_value=10 * 86_400), st.floats(min_value=0, max_value=1))
def test_pausing_keeps_the_countable_time_left(start: datetime, limit: float, share: float) -> None:
    deadline = WORKING.add(start, limit)
    paused = start + (deadline - start) * share
    left = WORKING.between(paused, deadline)
    resumed = paused + timedelta(days=2)
    new_deadline = WORKING.add(resumed, left)
    assert abs(WORKING.between(resumed, new_deadline) - left) < 1e-3
    assert new_deadline >= deadline
