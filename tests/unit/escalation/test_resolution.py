"""Resolution (化解) and the follow-up visit (回访): closing, reopening one tier up, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import SHANGHAI
from services.escalation.ladder.commands import (
    AssignCase,
    FireTimer,
    RecordAttempt,
    RecordFollowUp,
    ResolveCase,
)
from services.escalation.ladder.context import Refused
from shared.org.levels import Level
from shared.vocabulary import Tier
from tests.unit.escalation.ladder_harness import PATH, Ladder

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)


def resolved_at_village() -> Ladder:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.YELLOW, unit_path=PATH), at=T0)
    ladder.do(ResolveCase(outcome="mediated", result_text="达成协议", by="v"), at=T0)
    return ladder


def test_a_resolution_stops_the_ladder_and_its_timers_go_stale() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.YELLOW, unit_path=PATH), at=T0)
    deadline = ladder.due("deadline")
    (resolved,) = ladder.do(
        ResolveCase(outcome="litigation", result_text="引导诉讼", by="v"), at=T0
    )
    assert resolved.level is Level.VILLAGE  # type: ignore[attr-defined]
    assert (
        ladder.do(FireTimer(timer_id=deadline.timer_id, unit_path=PATH), at=deadline.due_at) == []
    )
    with pytest.raises(Refused, match="resolved"):
        ladder.do(RecordAttempt(result="failed", note="x", by="v"), at=T0)


def test_a_satisfied_follow_up_closes_the_case_for_good() -> None:
    ladder = resolved_at_village()
    events = ladder.do(RecordFollowUp(satisfied=True, note="满意", by="v", unit_path=PATH), at=T0)
    assert ladder.types(events) == ["FollowUpRecorded", "CaseClosed"]
    with pytest.raises(Refused, match="closed"):
        ladder.do(RecordFollowUp(satisfied=True, note="", by="v", unit_path=PATH), at=T0)
    with pytest.raises(Refused, match="closed"):
        ladder.do(ResolveCase(outcome="withdrawn", result_text="撤回", by="v"), at=T0)


def test_an_unsatisfied_follow_up_reopens_where_it_was_resolved_one_tier_up() -> None:
    ladder = resolved_at_village()
    later = T0 + timedelta(days=7)
    events = ladder.do(
        RecordFollowUp(satisfied=False, note="不满意", by="v", unit_path=PATH), at=later
    )
    assert ladder.types(events) == ["FollowUpRecorded", "CaseReopened", "CaseAssigned"]
    assert ladder.state.level is Level.VILLAGE and ladder.state.tier is Tier.RED
    assert ladder.state.deadline_at == later + timedelta(days=3), "a new clock at the level"
    assert not ladder.state.closed


def test_refusals_say_why() -> None:
    with pytest.raises(Refused, match="not assigned"):
        Ladder().do(ResolveCase(outcome="mediated", result_text="x", by="v"), at=T0)
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    with pytest.raises(Refused, match="after the resolution"):
        ladder.do(RecordFollowUp(satisfied=True, note="", by="v", unit_path=PATH), at=T0)
    with pytest.raises(Refused, match="mediated agreement"):
        ladder.do(
            ResolveCase(outcome="litigation", result_text="x", by="v", judicial_confirmation=True),
            at=T0,
        )


def test_the_follow_up_is_due_seven_days_after_the_resolution_and_then_overdue() -> None:
    ladder = resolved_at_village()
    timer = ladder.due("follow_up")
    assert timer.due_at == T0 + timedelta(days=7)
    (due,) = ladder.fire("follow_up")
    assert due.event_type == "FollowUpDue" and due.overdue  # type: ignore[attr-defined]
    assert due.level is Level.VILLAGE  # type: ignore[attr-defined]
    assert ladder.state.follow_up_overdue
    late = ladder.do(
        RecordFollowUp(satisfied=True, note="满意", by="v", unit_path=PATH),
        at=T0 + timedelta(days=8),
    )
    assert ladder.types(late) == ["FollowUpRecorded", "CaseClosed"], "a late visit still counts"


def test_a_visit_in_time_makes_the_follow_up_timer_stale() -> None:
    ladder = resolved_at_village()
    timer = ladder.due("follow_up")
    ladder.do(RecordFollowUp(satisfied=True, note="", by="v", unit_path=PATH), at=T0)
    assert ladder.do(FireTimer(timer_id=timer.timer_id, unit_path=PATH), at=timer.due_at) == []


def test_after_a_reopen_the_old_follow_up_timer_is_stale_and_a_new_resolution_sets_one() -> None:
    ladder = resolved_at_village()
    first = ladder.due("follow_up")
    ladder.do(RecordFollowUp(satisfied=False, note="", by="v", unit_path=PATH), at=T0)
    assert ladder.do(FireTimer(timer_id=first.timer_id, unit_path=PATH), at=first.due_at) == []
    later = T0 + timedelta(days=1)
    ladder.do(ResolveCase(outcome="mediated", result_text="再次调解", by="v"), at=later)
    assert ladder.due("follow_up").due_at == later + timedelta(days=7)
    assert ladder.due("follow_up").timer_id != first.timer_id


def test_the_follow_up_period_is_configurable() -> None:
    ladder = Ladder(settings=LadderSettings(follow_up_days=3))
    ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0)
    ladder.do(ResolveCase(outcome="withdrawn", result_text="撤回", by="g"), at=T0)
    assert ladder.due("follow_up").due_at == T0 + timedelta(days=3)
