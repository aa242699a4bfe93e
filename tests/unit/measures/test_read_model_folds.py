"""The measures folds and the queue's buckets, on events made by the ladder itself (no I/O)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from services.escalation.ladder.commands import (
    AcknowledgeOrder,
    AssignCase,
    RecordFollowUp,
    ResolveCase,
)
from services.measures.facts import fold as facts_view
from services.measures.queues import fold as queue_view
from services.measures.queues.queries import classify
from shared.events.envelope import EventEnvelope
from shared.events.payload import EventPayload
from shared.percentiles import nearest_rank
from shared.vocabulary import Tier
from tests.unit.escalation.ladder_harness import PATH, Ladder
from tests.unit.escalation.test_resolution import T0

HOUR = timedelta(hours=1)


class Stream:
    def __init__(self) -> None:
        self.events: list[EventEnvelope] = []
        self.add_raw("CaseReported", {"title": "t", "description": "d", "unit_code": PATH["grid"]})

    def add_raw(self, event_type: str, payload: dict[str, Any], at: Any = T0) -> None:
        self.events.append(
            EventEnvelope(
                event_id=uuid.uuid4(),
                event_type=event_type,
                schema_version=1,
                case_id="case-1",
                sequence=len(self.events) + 1,
                occurred_at=at,
                correlation_id=uuid.uuid4(),
                producer="test",
                payload=payload,
            )
        )

    def add(self, events: list[EventPayload], at: Any) -> None:
        for event in events:
            self.add_raw(event.event_type, event.model_dump(mode="json"), at)


def walked_to_reopen() -> tuple[Ladder, Stream]:
    ladder, stream = Ladder(), Stream()
    stream.add(ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0), T0)
    ack = AcknowledgeOrder(order_id="case-1.1", by="g")
    stream.add(ladder.do(ack, at=T0 + 2 * HOUR), T0 + 2 * HOUR)
    resolve = ResolveCase(outcome="mediated", result_text="协议", by="g")
    stream.add(ladder.do(resolve, at=T0 + 20 * HOUR), T0 + 20 * HOUR)
    visit = RecordFollowUp(satisfied=False, note="", by="g", unit_path=PATH)
    stream.add(ladder.do(visit, at=T0 + 30 * HOUR), T0 + 30 * HOUR)
    return ladder, stream


def fold(module: Any, events: list[EventEnvelope]) -> Any:
    state = None
    for event in events:
        state = module.evolve(state, event)
    return state


def test_case_facts_follow_a_resolution_and_a_reopen() -> None:
    _, stream = walked_to_reopen()
    resolved = fold(facts_view, stream.events[:5])  # up to CaseResolved
    assert resolved.case["status"] == "resolved" and resolved.case["level"] == "grid"
    assert resolved.case["resolve_seconds"] == 20 * 3600
    assert resolved.assignments[1]["ack_seconds"] == 2 * 3600
    reopened = fold(facts_view, stream.events)
    case = reopened.case
    assert case["status"] == "assigned" and case["tier"] == "yellow" and case["reopens"] == 1
    assert case["resolve_seconds"] is None and case["outcome"] is None, "no longer resolved"
    assert (case["follow_ups"], case["satisfied_follow_ups"]) == (1, 0)
    assert sorted(reopened.assignments) == [1, 2] and reopened.assignments[2]["cause"] == "reopen"
    assert case["version"] == len(stream.events)


def test_a_deadline_marks_the_assignment_overdue() -> None:
    ladder, stream = Ladder(), Stream()
    stream.add(ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0), T0)
    stream.add(ladder.fire("deadline"), T0 + 24 * HOUR)
    facts = fold(facts_view, stream.events)
    assert facts.assignments[1]["overdue"] and not facts.assignments[2]["overdue"]
    assert facts.assignments[2]["level"] == "village" and facts.case["escalations"] == 1


def test_the_queue_shows_the_next_step_and_its_bucket() -> None:
    ladder, stream = Ladder(), Stream()
    stream.add(ladder.do(AssignCase(tier=Tier.BLUE, unit_path=PATH), at=T0), T0)
    row = fold(queue_view, stream.events)
    window = 6 * HOUR
    assert classify(row, now=T0, within=window).bucket == "open"
    assert classify(row, now=T0, within=window).step == "acknowledge"
    assert classify(row, now=T0 + 20 * HOUR, within=window).bucket == "due_soon"
    assert classify(row, now=T0 + 24 * HOUR, within=window).bucket == "overdue"
    paused = {**row, "paused": True}
    assert classify(paused, now=T0 + 30 * HOUR, within=window).bucket == "open"
    resolve = ResolveCase(outcome="withdrawn", result_text="撤回", by="g")
    stream.add(ladder.do(resolve, at=T0), T0)
    resolved = fold(queue_view, stream.events)
    item = classify(resolved, now=T0, within=window)
    assert item.step == "follow_up" and item.due_at == T0 + timedelta(days=7)
    stream.add(ladder.fire("follow_up"), T0 + timedelta(days=7))
    late = fold(queue_view, stream.events)
    assert classify(late, now=T0 + timedelta(days=7), within=window).bucket == "overdue"


def test_percentiles_by_nearest_rank() -> None:
    assert nearest_rank([], 50) is None
    assert nearest_rank([5.0], 90) == 5.0
    values = [float(v) for v in range(1, 11)]
    assert nearest_rank(values, 50) == 5.0 and nearest_rank(values, 90) == 9.0
    assert nearest_rank(list(reversed(values)), 100) == 10.0
