"""The timer audit's classification (no I/O): fired, cancelled, missed, pending."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.escalation.audit.classify import audit_stream
from services.escalation.audit.report import build_audit
from services.escalation.ladder.calendar import SHANGHAI
from services.escalation.ladder.commands import (
    AcknowledgeOrder,
    AssignCase,
    Command,
    FireTimer,
    ResolveCase,
)
from shared.events.envelope import EventEnvelope, new_event
from shared.vocabulary import Tier
from tests.unit.escalation.ladder_harness import PATH, Ladder

T0 = datetime(2025, 9, 20, 10, 0, tzinfo=SHANGHAI)
GRACE = timedelta(seconds=60)


class Recorded:
    """A case driven through the ladder, its events wrapped as the log would hold them."""

    def __init__(self) -> None:
        self.ladder = Ladder()
        self.stream: list[EventEnvelope] = []

    def do(self, command: Command, at: datetime, key: str | None = None) -> None:
        for index, payload in enumerate(self.ladder.do(command, at=at)):
            event = new_event(
                payload,
                case_id="case-1",
                producer="escalation",
                idempotency_key=key,
                index=index,
                occurred_at=at,
            )
            self.stream.append(event.recorded(sequence=len(self.stream) + 1, recorded_at=at))

    def fire(self, kind: str, late: timedelta) -> str:
        timer = self.ladder.due(kind)
        command = FireTimer(timer_id=timer.timer_id, unit_path=PATH)
        self.do(command, timer.due_at + late, key=f"timer:{timer.timer_id}")
        return timer.timer_id

    def outcomes(self, now: datetime) -> dict[str, str]:
        return {r.kind: r.outcome(now, GRACE) for r in audit_stream("case-1", self.stream)}


def test_a_timer_that_fired_is_fired_with_its_lateness() -> None:
    case = Recorded()
    case.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), T0)
    ack = case.fire("ack", late=timedelta(seconds=2))
    records = {r.timer_id: r for r in audit_stream("case-1", case.stream)}
    assert records[ack].outcome(T0 + timedelta(days=30), GRACE) == "fired"
    assert records[ack].late_seconds == 2


def test_a_timer_the_case_moved_past_before_its_due_time_is_cancelled() -> None:
    case = Recorded()
    case.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), T0)
    case.do(AcknowledgeOrder(order_id=case.ladder.state.order_id or "", by="g"), T0)
    assert case.outcomes(T0 + timedelta(days=30))["ack"] == "cancelled"


def test_a_timer_that_came_due_and_never_fired_is_missed() -> None:
    case = Recorded()
    case.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), T0)
    case.do(AcknowledgeOrder(order_id=case.ladder.state.order_id or "", by="g"), T0)
    deadline = case.ladder.due("deadline").due_at
    # Nothing fired the warning or the deadline; the case was resolved a day after it.
    resolution = ResolveCase(outcome="mediated", result_text="已调解", by="g")
    case.do(resolution, deadline + timedelta(days=1))
    outcomes = case.outcomes(deadline + timedelta(days=2))
    assert outcomes["deadline"] == "missed" and outcomes["warning"] == "missed"


def test_a_live_timer_past_its_due_time_is_missed_after_the_grace_only() -> None:
    case = Recorded()
    case.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), T0)
    due = case.ladder.due("ack").due_at
    assert case.outcomes(due + timedelta(seconds=30))["ack"] == "pending"
    assert case.outcomes(due + timedelta(seconds=61))["ack"] == "missed"


def test_the_answer_lists_missed_timers_first_and_counts_the_window() -> None:
    case = Recorded()
    case.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), T0)
    case.fire("ack", late=timedelta(seconds=1))  # due at T0 + 12 h
    now = T0 + timedelta(days=3)  # warning (19.2 h) and deadline (24 h) missed meanwhile
    records = audit_stream("case-1", case.stream)
    audit = build_audit(records, window=(T0, now), now=now, grace=GRACE, limit=10)
    assert [t.outcome for t in audit.timers] == ["missed", "missed", "fired"]
    assert audit.summary.due == 3 and audit.summary.missed == 2 and audit.summary.fired == 1
    assert audit.summary.late_max_seconds == 1
    narrow = build_audit(
        records, window=(T0, T0 + timedelta(hours=13)), now=now, grace=GRACE, limit=10
    )
    assert [t.kind for t in narrow.timers] == ["ack"]
    capped = build_audit(records, window=(T0, now), now=now, grace=GRACE, limit=1)
    assert capped.truncated and capped.summary.due == 3 and len(capped.timers) == 1
