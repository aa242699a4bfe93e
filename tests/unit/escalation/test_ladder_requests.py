"""Around the ladder (RULES.md §3b): warnings, extensions, bounce-backs, chase notices."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.escalation.config import LadderSettings
from services.escalation.ladder.calendar import SHANGHAI
from services.escalation.ladder.commands import (
    AcknowledgeOrder,
    AssignCase,
    BounceBack,
    ConfirmBounceBack,
    DecideExtension,
    FireTimer,
    PauseClock,
    ReassignBounceBack,
    RecordAttempt,
    RequestExtension,
    ResumeClock,
)
from services.escalation.ladder.context import Refused
from shared.org.levels import Level
from shared.vocabulary import Tier
from tests.unit.escalation.ladder_harness import PATH, Ladder

T0 = datetime(2025, 9, 20, 10, 0, tzinfo=SHANGHAI)
DAY = timedelta(days=1)


def at_village() -> Ladder:
    """A yellow case at the village (3 days), acknowledged at once."""
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.YELLOW, unit_path=PATH), at=T0)
    return ladder


def refused(ladder: Ladder, command: Any, at: datetime) -> str:
    with pytest.raises(Refused) as info:
        ladder.do(command, at=at)
    return info.value.code


def extension(deadline: datetime) -> RequestExtension:
    return RequestExtension(reason="需等当事人返乡", deadline_at=deadline, by="v", unit_path=PATH)


# -- pre-breach warning (预警) ---------------------------------------------------------------


def test_the_holder_and_the_level_above_are_warned_once_at_80_percent() -> None:
    ladder = at_village()
    timer = ladder.due("warning")
    assert timer.due_at == T0 + 0.8 * 3 * DAY
    warned = ladder.fire("warning")
    assert ladder.types(warned) == ["PreBreachWarningIssued"]
    assert warned[0].unit_code == PATH[Level.VILLAGE]  # type: ignore[attr-defined]
    assert warned[0].warn_unit_code == PATH[Level.TOWNSHIP]  # type: ignore[attr-defined]
    assert warned[0].ladder_version == ladder.settings.version  # type: ignore[attr-defined]
    again = ladder.do(FireTimer(timer_id=timer.timer_id, unit_path=PATH), at=timer.due_at)
    assert again == [], "a warning fires once"


def test_at_the_county_only_the_holder_is_warned() -> None:
    ladder = Ladder()
    ladder.do(AssignCase(tier=Tier.RED, unit_path=PATH), at=T0)
    ladder.fire("deadline")  # township -> county
    warned = ladder.fire("warning")
    assert warned[0].level is Level.COUNTY  # type: ignore[attr-defined]
    assert warned[0].warn_unit_code is None  # type: ignore[attr-defined]


def test_a_warning_of_a_level_the_case_has_left_does_nothing() -> None:
    ladder = at_village()
    old = ladder.due("warning")
    ladder.fire("deadline")  # escalated to the township
    assert ladder.do(FireTimer(timer_id=old.timer_id, unit_path=PATH), at=old.due_at) == []
    assert ladder.due("warning").due_at == T0 + 3 * DAY + 0.8 * 5 * DAY


@settings(max_examples=60, deadline=None)
@given(
    pause_after=st.floats(min_value=0.0, max_value=0.79),
    pause_hours=st.floats(min_value=0.1, max_value=200.0),
)
def test_paused_time_does_not_count_towards_the_warning(
    pause_after: float, pause_hours: float
) -> None:
    ladder = at_village()
    paused_at = T0 + pause_after * 3 * DAY
    ladder.do(PauseClock(reason="当事人住院", by="v"), at=paused_at)
    assert not [t for t in ladder.state.live_timers if "|warning|" in t], "a pause stops it"
    ladder.do(ResumeClock(by="v", reason="出院"), at=paused_at + timedelta(hours=pause_hours))
    expected = T0 + 0.8 * 3 * DAY + timedelta(hours=pause_hours)
    assert abs((ladder.due("warning").due_at - expected).total_seconds()) < 1e-3


def test_warnings_can_be_switched_off() -> None:
    ladder = Ladder(settings=LadderSettings(warning_fraction=0))
    ladder.do(AssignCase(tier=Tier.YELLOW, unit_path=PATH), at=T0)
    assert not [t for t in ladder.state.live_timers if "|warning|" in t]


# -- extension (延期) ------------------------------------------------------------------------


def test_an_approved_extension_moves_the_deadline_and_the_old_one_does_nothing() -> None:
    ladder = at_village()
    old = ladder.due("deadline")
    asked = ladder.do(extension(T0 + 5 * DAY), at=T0 + DAY)
    assert ladder.types(asked) == ["ExtensionRequested"]
    assert asked[0].approver_unit_code == PATH[Level.TOWNSHIP]  # type: ignore[attr-defined]
    request_id = asked[0].request_id  # type: ignore[attr-defined]
    approved = ladder.do(DecideExtension(request_id=request_id, approve=True, by="t"), at=T0 + DAY)
    assert ladder.types(approved) == ["ExtensionApproved"]
    assert approved[0].previous_deadline_at == T0 + 3 * DAY  # type: ignore[attr-defined]
    assert ladder.state.deadline_at == T0 + 5 * DAY
    assert ladder.do(FireTimer(timer_id=old.timer_id, unit_path=PATH), at=old.due_at) == []
    assert ladder.state.level is Level.VILLAGE
    assert ladder.due("warning").due_at == T0 + DAY + 0.8 * 4 * DAY
    escalated = ladder.fire("deadline")
    assert ladder.types(escalated)[:2] == ["DeadlineReached", "CaseEscalated"]
    assert escalated[0].deadline_at == T0 + 5 * DAY  # type: ignore[attr-defined]


def test_extension_refusals_say_why() -> None:
    ladder = at_village()
    assert refused(ladder, extension(T0 + 2 * DAY), T0 + DAY) == "not-later"
    assert refused(ladder, extension(T0 + 7 * DAY), T0 + DAY) == "extension-too-long"
    assert refused(ladder, extension(T0 + 5 * DAY), T0 + 3 * DAY) == "deadline-passed"
    asked = ladder.do(extension(T0 + 4 * DAY), at=T0 + DAY)
    assert refused(ladder, extension(T0 + 5 * DAY), T0 + DAY) == "extension-pending"
    request_id = asked[0].request_id  # type: ignore[attr-defined]
    no_reason = DecideExtension(request_id=request_id, approve=False, by="t")
    assert refused(ladder, no_reason, T0 + DAY) == "reason-required"
    wrong = DecideExtension(request_id="nope", approve=True, by="t")
    assert refused(ladder, wrong, T0 + DAY) == "no-such-request"
    refusal = DecideExtension(request_id=request_id, approve=False, by="t", reason="理由不足")
    assert ladder.types(ladder.do(refusal, at=T0 + DAY)) == ["ExtensionRefused"]
    assert ladder.state.deadline_at == T0 + 3 * DAY, "a refusal keeps the deadline"
    again = ladder.do(extension(T0 + 4 * DAY), at=T0 + DAY)
    second = again[0].request_id  # type: ignore[attr-defined]
    ladder.do(DecideExtension(request_id=second, approve=True, by="t"), at=T0 + DAY)
    assert refused(ladder, extension(T0 + 5 * DAY), T0 + 2 * DAY) == "extension-limit"


def test_the_extension_limit_is_per_level() -> None:
    ladder = at_village()
    asked = ladder.do(extension(T0 + 4 * DAY), at=T0 + DAY)
    first = asked[0].request_id  # type: ignore[attr-defined]
    ladder.do(DecideExtension(request_id=first, approve=True, by="t"), at=T0 + DAY)
    ladder.fire("deadline")  # the township now holds it, with its own allowance
    assert ladder.state.level is Level.TOWNSHIP
    at = T0 + 5 * DAY
    later = ladder.do(extension(T0 + 4 * DAY + 6 * DAY), at=at)
    assert ladder.types(later) == ["ExtensionRequested"]


# -- bounce-back (退单 by a unit) -------------------------------------------------------------


def test_a_confirmed_bounce_back_keeps_the_clock_and_counts_the_lost_time() -> None:
    ladder = at_village()
    bounced = ladder.do(BounceBack(reason="不属本村管辖", by="v"), at=T0 + timedelta(hours=2))
    assert ladder.types(bounced) == ["OrderBouncedBack"]
    assert ladder.due("arbitration").due_at == T0 + timedelta(hours=26)
    assert refused(ladder, BounceBack(reason="再退", by="v"), T0 + timedelta(hours=3)) == (
        "bounce-back-pending"
    )
    confirmed = ladder.do(ConfirmBounceBack(note="属本村", by="c"), at=T0 + timedelta(hours=8))
    assert confirmed[0].lost_seconds == 6 * 3600  # type: ignore[attr-defined]
    assert ladder.state.deadline_at == T0 + 3 * DAY, "the clock never stopped"
    assert refused(ladder, ConfirmBounceBack(note="", by="c"), T0 + DAY) == "no-bounce-back"
    assert not [t for t in ladder.state.live_timers if "|arbitration|" in t]


def test_a_reassigned_bounce_back_starts_a_new_clock_at_the_new_unit() -> None:
    ladder = at_village()
    ladder.do(BounceBack(reason="地址在邻村", by="v"), at=T0 + DAY)
    other = {**PATH, Level.VILLAGE: "330681106002"}
    other.pop(Level.GRID)
    wrong_level = ReassignBounceBack(unit_code="330681106000", new_path=other, note="", by="c")
    assert refused(ladder, wrong_level, T0 + DAY) == "not-same-level"
    command = ReassignBounceBack(unit_code="330681106002", new_path=other, note="邻村", by="c")
    moved = ladder.do(command, at=T0 + DAY + timedelta(hours=1))
    assert ladder.types(moved) == ["BounceBackReassigned", "CaseAssigned"]
    assigned = moved[1]
    assert assigned.cause == "reassigned"  # type: ignore[attr-defined]
    assert assigned.unit_code == "330681106002"  # type: ignore[attr-defined]
    assert ladder.state.deadline_at == T0 + DAY + timedelta(hours=1) + 3 * DAY
    assert ladder.state.level is Level.VILLAGE and ladder.state.bounce_back is None


def test_an_undecided_bounce_back_is_reported_when_the_window_lapses() -> None:
    ladder = at_village()
    ladder.do(BounceBack(reason="不属本村管辖", by="v"), at=T0)
    lapsed = ladder.fire("arbitration")
    assert ladder.types(lapsed) == ["BounceBackArbitrationLapsed"]
    assert lapsed[0].due_at == T0 + timedelta(hours=24)  # type: ignore[attr-defined]
    assert ladder.state.bounce_back is not None, "the centre can still decide"


# -- chase notice (催办) ---------------------------------------------------------------------


def test_an_idle_acknowledged_order_is_chased_and_progress_postpones_it() -> None:
    ladder = at_village()
    assert not [t for t in ladder.state.live_timers if "|chase|" in t], "not before 签收"
    order = ladder.state.order_id or ""
    ladder.do(AcknowledgeOrder(order_id=order, by="v"), at=T0 + timedelta(hours=1))
    first = ladder.due("chase")
    assert first.due_at == T0 + timedelta(hours=1) + 1.5 * DAY
    attempt_at = T0 + DAY
    ladder.do(RecordAttempt(result="failed", note="双方不同意", by="v"), at=attempt_at)
    assert ladder.do(FireTimer(timer_id=first.timer_id, unit_path=PATH), at=first.due_at) == []
    chased = ladder.fire("chase")
    assert ladder.types(chased) == ["ChaseNoticeIssued"]
    assert chased[0].idle_since == attempt_at  # type: ignore[attr-defined]
    assert not [t for t in ladder.state.live_timers if "|chase|" in t], "once per idle period"


def test_a_pause_counts_as_progress_and_the_chase_restarts_on_resume() -> None:
    ladder = at_village()
    ladder.do(AcknowledgeOrder(order_id=ladder.state.order_id or "", by="v"), at=T0)
    ladder.do(PauseClock(reason="等待鉴定", by="v"), at=T0 + timedelta(hours=5))
    assert not [t for t in ladder.state.live_timers if "|chase|" in t]
    resumed_at = T0 + 2 * DAY
    ladder.do(ResumeClock(by="v", reason="鉴定完成"), at=resumed_at)
    assert ladder.due("chase").due_at == resumed_at + 1.5 * DAY


# -- pinned versions -------------------------------------------------------------------------


def test_a_ladder_change_applies_to_new_assignments_only() -> None:
    ladder = at_village()
    first_version = ladder.state.ladder_version
    assert ladder.history[0].ladder_version == first_version  # type: ignore[attr-defined]
    ladder.settings = LadderSettings(
        limit_days={Level.GRID: 1, Level.VILLAGE: 3, Level.TOWNSHIP: 10, Level.COUNTY: 7}
    )
    assert ladder.state.deadline_at == T0 + 3 * DAY, "the running deadline is unchanged"
    escalated = ladder.fire("deadline")
    assigned = escalated[-1]
    assert assigned.ladder_version == ladder.settings.version != first_version  # type: ignore[attr-defined]
    assert assigned.deadline_at == T0 + 3 * DAY + 10 * DAY  # type: ignore[attr-defined]
