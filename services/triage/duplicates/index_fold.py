"""The candidate index's row of a report from its case's events, as a pure fold.

What the triage reactor writes live, taken from the log: the row is born when the report's
first ``CaseTriaged`` (the one its ``CaseReported`` caused) is met, from the report, the
category and the decision recorded in the same append (``ReportFolded`` or
``DuplicateProposed`` before the ``CaseTriaged``, none for a new incident), decided at that
append's time. The events the reactor tracks (closing, reopening, folding, unfolding,
dismissing) then change it as the reactor does; those met before the row was born are kept
and applied once it is, in their order, as the reactor applied them to the row it had
written when it decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.triage.duplicates.decide import Decision
from services.triage.duplicates.folding import CLOSING, TRACKED, entry_of
from services.triage.duplicates.index import index_row
from shared.events.envelope import EventEnvelope
from shared.org.tree import OrgTree
from shared.times import as_utc

IndexRow = dict[str, Any]
DECIDING = frozenset({"ReportFolded", "DuplicateProposed"})
WANTED = TRACKED | DECIDING | {"CaseReported", "CaseTriaged"}


@dataclass
class Pending:
    """A report not yet triaged: its report and what happened to it meanwhile."""

    reported: EventEnvelope
    waiting: list[EventEnvelope] = field(default_factory=list)


State = Pending | IndexRow


def decision_of(triaged: EventEnvelope, waiting: list[EventEnvelope]) -> Decision:
    """The decision the triage append recorded (its events share the idempotency key)."""
    recorded = [
        e
        for e in waiting
        if e.event_type in DECIDING and e.idempotency_key == triaged.idempotency_key
    ]
    decided_at = as_utc(triaged.occurred_at)
    if not recorded:
        return Decision(kind="new", decided_at=decided_at)
    event = recorded[-1]
    p = event.payload
    if event.event_type == "ReportFolded":
        return Decision("fold", p["into_case_id"], p["into_case_number"], p["score"], decided_at)
    return Decision(
        "propose", p["candidate_case_id"], p["candidate_case_number"], p["score"], decided_at
    )


def tracked(row: IndexRow, event: EventEnvelope) -> IndexRow:
    """The row after an event the reactor tracks (``Folding.track``)."""
    kind, p = event.event_type, event.payload
    if kind in CLOSING:
        return {**row, "open": False}
    if kind == "CaseReopened":
        return row if row["decision"] == "fold" else {**row, "open": True}
    if kind == "ReportFolded":
        return {
            **row,
            "open": False,
            "decision": "fold",
            "decided_case_id": p["into_case_id"],
            "decided_case_number": p["into_case_number"],
            "score": p.get("score"),
        }
    if kind == "DuplicateDismissed":
        pending = row["decision"] == "propose"
        if pending and row["decided_case_id"] == p["candidate_case_id"]:
            return {**row, "decision": "dismissed"}
        return row
    if kind == "ReportUnfolded":
        return {**row, "open": True, "decision": "unfolded"}
    return row


def born(pending: Pending, triaged: EventEnvelope, *, tree: OrgTree, secret: bytes) -> IndexRow:
    """The row written when the report was decided, then what happened meanwhile."""
    category = triaged.payload.get("category")
    entry = entry_of(pending.reported, category=category, tree=tree, secret=secret)
    row = index_row(entry, decision_of(triaged, pending.waiting))
    for event in pending.waiting:
        if event.event_type in TRACKED:
            row = tracked(row, event)
    return row


def evolve(
    state: State | None, event: EventEnvelope, *, tree: OrgTree, secret: bytes
) -> State | None:
    """The case's state after one event: nothing, a pending report, or its row."""
    kind = event.event_type
    if state is None:
        return Pending(event) if kind == "CaseReported" else None
    if isinstance(state, Pending):
        if kind == "CaseTriaged" and event.causation_id == state.reported.event_id:
            return born(state, event, tree=tree, secret=secret)
        if kind in TRACKED or kind in DECIDING:
            state.waiting.append(event)
        return state
    return tracked(state, event) if kind in TRACKED else state
