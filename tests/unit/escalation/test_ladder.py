"""The four-level ladder (RULES.md §3): walks, refusals, tiers, acknowledgements, timers."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import SHANGHAI
from services.escalation.ladder.commands import (
    AcknowledgeOrder,
    ApplyTierChange,
    AssignCase,
    FireTimer,
    PauseClock,
    RecordAttempt,
    RequestEarlyEscalation,
    ResumeClock,
)
from services.escalation.ladder.context import Refused
from shared.org.levels import Level
from shared.vocabulary import Tier
from tests.unit.escalation.ladder_harness import PATH, Ladder

T0 = datetime(2025, 9, 20, 10, 0, tzinfo=SHANGHAI)


def test_a_red_case_left_alone_climbs_to_the_county_and_is_supervised_there() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.RED, unit_path=PATH), at=T0)
    assert ladder.state.level is Level.TOWNSHIP
    assert ladder.state.deadline_at == T0 + timedelta(days=5)

    escalated = ladder.fire("deadline")
    assert ladder.types(escalated) == ["DeadlineReached", "CaseEscalated", "CaseAssigned"]
    assert ladder.state.level is Level.COUNTY and ladder.state.overdue_levels == (Level.TOWNSHIP,)
    assert escalated[2].assigned_at == T0 + timedelta(days=5)  # type: ignore[attr-defined]

    first = ladder.fire("deadline")
    assert ladder.types(first) == ["DeadlineReached", "SupervisionRaised"]
    assert first[1].count == 1  # type: ignore[attr-defined]
    second = ladder.fire("supervision")
    assert ladder.types(second) == ["SupervisionRaised"]
    assert second[0].count == 2  # type: ignore[attr-defined]
    assert second[0].next_due_at == T0 + timedelta(days=5 + 7 + 7 + 7)  # type: ignore[attr-defined]
    assert ladder.state.level is Level.COUNTY
    assert "CaseEscalated" not in ladder.types(ladder.history[-3:])


def test_the_same_walk_in_working_days_across_national_day() -> None:
    ladder = Ladder(settings=LadderSettings(day_mode="working"))
    start = datetime(2025, 9, 26, 9, 0, tzinfo=SHANGHAI)  # Friday
    ladder.do(AssignCase(tier=Tier.RED, unit_path=PATH), at=start)
    # Same time on the 5th following working day: Sep 28 (调休 Sunday), 29, 30, then
    # Oct 9 and 10 after the holiday (Oct 1-8).
    assert ladder.state.deadline_at == datetime(2025, 10, 10, 9, 0, tzinfo=SHANGHAI)
    ladder.fire("deadline")
    # 7 working days later: Oct 11 (调休 Saturday), 13, 14, 15, 16, 17, 20.
    assert ladder.state.deadline_at == datetime(2025, 10, 20, 9, 0, tzinfo=SHANGHAI)


def test_tiers_start_at_their_levels_and_blue_without_a_grid_starts_at_the_village() -> None:
    for tier, level in ((Tier.BLUE, Level.GRID), (Tier.YELLOW, Level.VILLAGE)):
        ladder = Ladder()
        ladder.do(AssignCase(tier=tier, unit_path=PATH), at=T0)
        assert ladder.state.level is level
    no_grid = {k: v for k, v in PATH.items() if k is not Level.GRID}
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=no_grid), at=T0)
    assert ladder.state.level is Level.VILLAGE


def test_early_escalation_needs_three_failed_attempts_at_the_current_level() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.YELLOW, unit_path=PATH), at=T0)
    for _ in range(2):
        ladder.do(RecordAttempt(result="failed", note="双方不同意", by="v"), at=T0)
    ladder.do(RecordAttempt(result="partial", note="部分同意", by="v"), at=T0)
    with pytest.raises(Refused, match="needs 3 failed mediation attempts") as refused:
        ladder.do(RequestEarlyEscalation(unit_path=PATH, by="v"), at=T0)
    assert refused.value.code == "not-enough-attempts" and "2 recorded" in refused.value.reason

    ladder.do(RecordAttempt(result="failed", note="再次失败", by="v"), at=T0)
    moved = ladder.do(RequestEarlyEscalation(unit_path=PATH, by="v"), at=T0 + timedelta(hours=1))
    assert ladder.types(moved) == ["CaseEscalated", "CaseAssigned"]
    assert ladder.state.level is Level.TOWNSHIP and ladder.state.overdue_levels == ()
    with pytest.raises(Refused, match="0 recorded"):  # attempts do not carry to the next level
        ladder.do(RequestEarlyEscalation(unit_path=PATH, by="t"), at=T0)


def test_the_county_never_escalates_on_request() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.RED, unit_path=PATH), at=T0)
    ladder.fire("deadline")
    with pytest.raises(Refused, match="never escalates"):
        ladder.do(RequestEarlyEscalation(unit_path=PATH, by="c"), at=T0)


def test_a_rising_tier_moves_up_at_once_and_a_falling_one_never_down() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    assert ladder.do(ApplyTierChange(tier=Tier.BLUE, unit_path=PATH), at=T0) == []
    moved = ladder.do(ApplyTierChange(tier=Tier.RED, unit_path=PATH), at=T0)
    assert ladder.types(moved) == ["CaseEscalated", "CaseAssigned"]
    assert ladder.state.level is Level.TOWNSHIP
    assert ladder.do(ApplyTierChange(tier=Tier.BLUE, unit_path=PATH), at=T0) == []
    assert ladder.state.level is Level.TOWNSHIP


def test_paused_time_does_not_count_and_a_pause_does_not_carry_to_the_next_level() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.YELLOW, unit_path=PATH), at=T0)  # village: 3 days
    old_deadline = ladder.due("deadline")
    ladder.do(PauseClock(reason="等待当事人返乡", by="v"), at=T0 + timedelta(days=1))
    assert (
        ladder.do(FireTimer(timer_id=old_deadline.timer_id, unit_path=PATH), at=old_deadline.due_at)
        == []
    )  # stale while paused
    with pytest.raises(Refused, match="already paused"):
        ladder.do(PauseClock(reason="again", by="v"), at=T0 + timedelta(days=1))
    ladder.do(ResumeClock(by="v"), at=T0 + timedelta(days=4))
    assert ladder.state.deadline_at == T0 + timedelta(days=6)
    assert ladder.state.paused_seconds == 3 * 86_400
    ladder.fire("deadline")
    assert ladder.state.level is Level.TOWNSHIP and ladder.state.paused_seconds == 0
    assert ladder.state.deadline_at == T0 + timedelta(days=11)
    with pytest.raises(Refused, match="a pause needs a reason"):
        ladder.do(PauseClock(reason=" ", by="t"), at=T0)
    with pytest.raises(Refused, match="not paused"):
        ladder.do(ResumeClock(by="t"), at=T0)


def test_an_unacknowledged_order_goes_to_the_backup_and_warns_the_level_above() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.RED, unit_path=PATH), at=T0)
    assert ladder.due("ack").due_at == T0 + timedelta(hours=1)
    lapsed = ladder.fire("ack")
    assert ladder.types(lapsed) == ["AcknowledgementLapsed"]
    assert lapsed[0].resend_to_backup  # type: ignore[attr-defined]
    assert lapsed[0].warn_unit_code == PATH[Level.COUNTY]  # type: ignore[attr-defined]


def test_an_acknowledged_order_never_lapses() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    ack_timer = ladder.due("ack")
    assert ack_timer.due_at == T0 + timedelta(hours=12)
    order = ladder.state.order_id
    assert order is not None
    ladder.do(AcknowledgeOrder(order_id=order, by="grid"), at=T0 + timedelta(hours=2))
    assert ladder.do(AcknowledgeOrder(order_id=order, by="grid"), at=T0) == []
    assert (
        ladder.do(FireTimer(timer_id=ack_timer.timer_id, unit_path=PATH), at=ack_timer.due_at) == []
    )
    with pytest.raises(Refused, match="not the case's current"):
        ladder.do(AcknowledgeOrder(order_id="other", by="grid"), at=T0)


def test_each_deadline_escalates_once_even_if_its_timer_fires_twice() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    timer = ladder.due("deadline")
    first = ladder.do(FireTimer(timer_id=timer.timer_id, unit_path=PATH), at=timer.due_at)
    again = ladder.do(FireTimer(timer_id=timer.timer_id, unit_path=PATH), at=timer.due_at)
    assert "CaseEscalated" in ladder.types(first) and again == []


def test_every_assignment_pins_the_ladder_version() -> None:
    ladder = Ladder()
    events = ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    other = LadderSettings(
        limit_days={Level.GRID: 2, Level.VILLAGE: 3, Level.TOWNSHIP: 5, Level.COUNTY: 7}
    )
    assert events[0].ladder_version == LadderSettings().version != other.version  # type: ignore[attr-defined]


ACTIONS = st.lists(
    st.sampled_from(
        ["deadline", "ack", "supervision", "attempt", "early", "pause", "resume", "rise", "fall"]
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(Tier)), ACTIONS)
def test_ladder_invariants(tier: Tier, actions: list[str]) -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=tier, unit_path=PATH), at=T0)
    now = T0
    for action in actions:
        before = ladder.state.level
        assert before is not None
        now += timedelta(hours=1)
        try:
            if action in ("deadline", "ack", "supervision"):
                live = [t for t in ladder.state.live_timers if ladder.timers[t].kind == action]
                if live:
                    events = ladder.fire(action)
                    assert ladder.types(events).count("CaseEscalated") <= 1
            elif action == "attempt":
                ladder.do(RecordAttempt(result="failed", note="x", by="h"), at=now)
            elif action == "early":
                ladder.do(RequestEarlyEscalation(unit_path=PATH, by="h"), at=now)
            elif action == "pause":
                ladder.do(PauseClock(reason="r", by="h"), at=now)
            elif action == "resume":
                ladder.do(ResumeClock(by="h"), at=now)
            elif action in ("rise", "fall"):
                ladder.do(
                    ApplyTierChange(
                        tier=Tier.RED if action == "rise" else Tier.BLUE, unit_path=PATH
                    ),
                    at=now,
                )
        except Refused:
            pass
        after = ladder.state.level
        assert after is not None and after >= before  # never down, never above county
    assert ladder.types(ladder.history).count("CaseAssigned") == 1 + ladder.types(
        ladder.history
    ).count("CaseEscalated")
